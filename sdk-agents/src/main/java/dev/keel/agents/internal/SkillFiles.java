package dev.keel.agents.internal;

import dev.keel.agents.skills.Skill;
import dev.keel.agents.tool.ToolsetException;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agent Skills on disk: {@code SKILL.md} front matter, folder scans, and the local search order docker-agent
 * uses (user folders of Codex, Claude and agents, then the project's folders from the outermost to the working
 * directory, nearer ones winning). Not API.
 */
public final class SkillFiles {
    private static final Logger log = LoggerFactory.getLogger(SkillFiles.class);
    private static final String FILE = "SKILL.md";
    private static final int MAX_DEPTH = 8;
    private static final int MAX_BYTES = 512 * 1024;

    private SkillFiles() {}

    /** Front matter and body of a {@code SKILL.md}. */
    public record Document(Map<String, JsonValue> fields, String body) {}

    /**
     * Splits {@code text} into front matter and body; empty when there is no complete front matter block.
     * The front matter is YAML; when it is not valid YAML (an unquoted colon in a description is common), each
     * {@code key: value} line is read as written.
     */
    public static Optional<Document> parse(String text) {
        String s = text.replace("\r\n", "\n");
        if (s.startsWith("\uFEFF")) {
            s = s.substring(1);
        }
        if (!s.startsWith("---\n")) {
            return Optional.empty();
        }
        int end = s.indexOf("\n---", 3);
        while (end >= 0 && !(end + 4 == s.length() || s.charAt(end + 4) == '\n')) {
            end = s.indexOf("\n---", end + 4);
        }
        if (end < 0) {
            return Optional.empty();
        }
        String yaml = s.substring(4, end + 1);
        String body = end + 4 >= s.length() ? "" : s.substring(end + 5);
        return Optional.of(new Document(fields(yaml), body.strip()));
    }

    private static Map<String, JsonValue> fields(String yaml) {
        try {
            JsonValue v = YamlTree.json(YamlTree.parse(yaml));
            if (v instanceof JsonObject o) {
                return o.members();
            }
        } catch (YamlTree.SyntaxException e) {
            // fall through to the line reader
        }
        Map<String, Object> out = new LinkedHashMap<>();
        String listKey = null;
        List<String> list = null;
        for (String line : yaml.split("\n")) {
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            if (listKey != null && line.stripLeading().startsWith("- ") && Character.isWhitespace(line.charAt(0))) {
                list.add(unquote(line.stripLeading().substring(2)));
                continue;
            }
            listKey = null;
            if (Character.isWhitespace(line.charAt(0))) {
                continue; // nested mapping lines of a key we cannot read
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (value.isEmpty()) {
                listKey = key;
                list = new ArrayList<>();
                out.put(key, list);
            } else {
                out.put(key, unquote(value));
            }
        }
        Map<String, JsonValue> fields = new LinkedHashMap<>();
        out.forEach((k, v) -> fields.put(k, JsonValue.of(v)));
        return fields;
    }

    private static String unquote(String v) {
        String s = v.strip();
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    /** A text field, or "" . */
    public static String text(Map<String, JsonValue> fields, String key) {
        JsonValue v = fields.get(key);
        return v instanceof JsonString s ? s.value().strip() : v == null || v.isNull() ? "" : v.toString();
    }

    /** A list field written as a YAML list or a comma-separated string. */
    public static List<String> list(Map<String, JsonValue> fields, String key) {
        JsonValue v = fields.get(key);
        if (v instanceof JsonArray a) {
            return a.items().stream().map(x -> x instanceof JsonString s ? s.value().strip() : x.toString())
                    .filter(x -> !x.isEmpty()).toList();
        }
        if (v instanceof JsonString s) {
            return Arrays.stream(s.value().split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
        }
        return List.of();
    }

    /** The skill described by {@code doc}, or empty when it has no description or a name Keel cannot use. */
    public static Optional<Skill> skill(Document doc, String fallbackName, String origin, Skill.Content content) {
        Map<String, JsonValue> f = doc.fields();
        String name = text(f, "name");
        if (name.isEmpty()) {
            name = fallbackName;
        }
        String description = text(f, "description");
        if (description.isEmpty()) {
            log.warn("skill '{}' at {} has no description; skipped", name, origin);
            return Optional.empty();
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        if (f.get("metadata") instanceof JsonObject m) {
            m.members().forEach((k, v) -> metadata.put(k, v instanceof JsonString s ? s.value() : v.toString()));
        }
        try {
            return Optional.of(Skill.builder(name, description)
                    .fork("fork".equals(text(f, "context")))
                    .model(text(f, "model"))
                    .allowedTools(list(f, "allowed-tools").isEmpty() ? list(f, "allowed_tools") : list(f, "allowed-tools"))
                    .toolsets(list(f, "toolsets"))
                    .license(text(f, "license"))
                    .compatibility(text(f, "compatibility"))
                    .metadata(metadata)
                    .origin(origin)
                    .content(content)
                    .build());
        } catch (IllegalArgumentException e) {
            log.warn("skill at {} skipped: {}", origin, e.getMessage());
            return Optional.empty();
        }
    }

    /** The skill in {@code dir}'s {@code SKILL.md}, if it has one Keel can use. */
    public static Optional<Skill> read(Path dir) {
        Path file = dir.resolve(FILE);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            log.warn("skill file {} could not be read: {}", file, e.getMessage());
            return Optional.empty();
        }
        Optional<Document> doc = parse(text);
        if (doc.isEmpty()) {
            log.warn("skill file {} has no front matter; skipped", file);
            return Optional.empty();
        }
        return skill(doc.get(), dir.getFileName().toString(), file.toString(), new FolderContent(dir));
    }

    /**
     * The skills under {@code root}: its sub-folders with a {@code SKILL.md}, and with {@code recursive} their
     * descendants too (a skill's own folder is not searched further). Hidden folders are skipped; symbolic
     * links are followed once (a link back to a folder already seen is ignored). A missing root has none.
     */
    public static List<Skill> scan(Path root, boolean recursive) {
        List<Skill> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        Set<Path> seen = new HashSet<>();
        try {
            seen.add(root.toRealPath());
        } catch (IOException e) {
            return out;
        }
        scan(root, recursive, 0, seen, out);
        return out;
    }

    private static void scan(Path dir, boolean recursive, int depth, Set<Path> seen, List<Skill> out) {
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            return;
        }
        for (Path child : children) {
            if (child.getFileName().toString().startsWith(".")) {
                continue;
            }
            try {
                if (!seen.add(child.toRealPath())) {
                    continue;
                }
            } catch (IOException e) {
                continue;
            }
            if (Files.isRegularFile(child.resolve(FILE))) {
                read(child).ifPresent(out::add);
            } else if (recursive && depth + 1 < MAX_DEPTH) {
                scan(child, true, depth + 1, seen, out);
            }
        }
    }

    /**
     * docker-agent's local skills, by name, later entries winning: {@code ~/.codex/skills},
     * {@code ~/.claude/skills}, {@code ~/.agents/skills}, then for each project folder from the outermost to
     * {@code workingDirectory}: {@code .claude/skills}, {@code .github/skills}, {@code .agents/skills}.
     */
    public static Map<String, Skill> local(Path workingDirectory, Path home) {
        Map<String, Skill> byName = new LinkedHashMap<>();
        add(byName, scan(home.resolve(".codex/skills"), true));
        add(byName, scan(home.resolve(".claude/skills"), false));
        add(byName, scan(home.resolve(".agents/skills"), true));
        for (Path dir : projectDirectories(workingDirectory, home)) {
            add(byName, scan(dir.resolve(".claude/skills"), false));
            add(byName, scan(dir.resolve(".github/skills"), true));
            add(byName, scan(dir.resolve(".agents/skills"), true));
        }
        return byName;
    }

    private static void add(Map<String, Skill> byName, List<Skill> skills) {
        for (Skill s : skills) {
            byName.remove(s.name()); // re-insert so that the order follows precedence
            byName.put(s.name(), s);
        }
    }

    /**
     * The project folders searched, outermost first: under the home directory every folder from the home's
     * child down to the working directory (so that a folder grouping several repositories is found); elsewhere
     * from the repository root (a folder with {@code .git}) down, or the working directory alone.
     */
    public static List<Path> projectDirectories(Path workingDirectory, Path home) {
        Path cwd = workingDirectory.toAbsolutePath().normalize();
        Path h = home.toAbsolutePath().normalize();
        List<Path> dirs = new ArrayList<>();
        if (cwd.startsWith(h) && !cwd.equals(h)) {
            for (Path p = cwd; p != null && !p.equals(h); p = p.getParent()) {
                dirs.add(0, p);
            }
            return dirs;
        }
        Path root = null;
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
                root = p;
                break;
            }
        }
        if (root == null) {
            return List.of(cwd);
        }
        for (Path p = cwd; p != null; p = p.getParent()) {
            dirs.add(0, p);
            if (p.equals(root)) {
                break;
            }
        }
        return dirs;
    }

    /** A skill folder on disk: instructions from its {@code SKILL.md}, supporting files from inside it. */
    private record FolderContent(Path dir) implements Skill.Content {
        @Override
        public String instructions() {
            Path file = dir.resolve(FILE);
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                return parse(text).map(Document::body).orElse(text.strip());
            } catch (IOException e) {
                throw new ToolsetException("skill file " + file + " could not be read: " + e.getMessage(), e);
            }
        }

        @Override
        public String file(String relativePath) {
            Path rel = Path.of(relativePath);
            Path target = dir.resolve(rel).normalize();
            if (rel.isAbsolute() || !target.startsWith(dir)) {
                throw new ToolsetException("'" + relativePath + "' is outside the skill's folder");
            }
            try {
                Path real = target.toRealPath();
                if (!real.startsWith(dir.toRealPath())) {
                    throw new ToolsetException("'" + relativePath + "' leads outside the skill's folder");
                }
                if (!Files.isRegularFile(real)) {
                    throw new ToolsetException("'" + relativePath + "' is not a file of the skill");
                }
                byte[] bytes = Files.readAllBytes(real);
                if (bytes.length > MAX_BYTES) {
                    throw new ToolsetException("'" + relativePath + "' is larger than " + MAX_BYTES / 1024 + " KiB");
                }
                return new String(bytes, StandardCharsets.UTF_8);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new ToolsetException("the skill has no file '" + relativePath + "'");
            } catch (IOException e) {
                throw new ToolsetException("'" + relativePath + "' could not be read: " + e.getMessage(), e);
            }
        }
    }
}
