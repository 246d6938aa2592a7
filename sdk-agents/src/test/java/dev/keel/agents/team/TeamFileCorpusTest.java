package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.internal.YamlTree;
import dev.keel.core.models.ModelRegistry;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import dev.keel.agents.team.TeamSchema.Either;
import dev.keel.agents.team.TeamSchema.ListOf;
import dev.keel.agents.team.TeamSchema.MapOf;
import dev.keel.agents.team.TeamSchema.Obj;
import dev.keel.agents.team.TeamSchema.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads every team file of the corpus under {@code src/test/resources/teams/corpus} the way a stranger would:
 * with no variable set (no key, no token), from another working directory. The corpus is written to cover
 * every field and toolset type of docker-agent's schema, older schema versions, the structure of the team files
 * in Docker's cagent posts, and other YAML spellings; {@code bad/} holds near misses of field names.
 *
 * <p>What must hold: every file loads; every warning a file produces is either on the {@link #ALLOWED} list,
 * with the reason it remains, or a failure; an entry of that list that no longer matches anything is a failure
 * too (shrink the list when the feature lands); each bad file fails with a typed, located "did you mean" error.
 * The warnings are written to {@code target/team-corpus/summary.txt} and to the test log.
 */
class TeamFileCorpusTest {
    /**
     * A warning that is expected to remain for a corpus file: {@code file} is the path under {@code corpus/},
     * {@code warning} the start of the warning after its {@code file:line: } location.
     */
    record Allowed(String file, String warning, String why) {}

    /**
     * The one list of warnings that remain, and why. Everything else a corpus file warns about fails the test.
     * Remove entries as the features land; a stale entry fails the test so that the list only shrinks.
     */
    static final List<Allowed> ALLOWED = List.of(
            new Allowed("stranger/case-and-style.yaml", "agents.root.Model: read as 'model' (field names are lower case)",
                    "deliberate: the stranger files test case folding, future versions and unknown fields"),
            new Allowed("stranger/future-field.yaml", "version: schema version 99 is newer than Keel knows (16); read as 16,",
                    "deliberate: the stranger files test case folding, future versions and unknown fields"),
            new Allowed("stranger/future-field.yaml", "agents.root.voice_mode: unknown field, ignored (not in docker-agent's",
                    "deliberate: the stranger files test case folding, future versions and unknown fields"),
            new Allowed("stranger/future-field.yaml", "telemetry: unknown field, ignored (not in docker-agent's schema versio",
                    "deliberate: the stranger files test case folding, future versions and unknown fields"),
            new Allowed("toolsets/sandboxed-shell.yaml", "agents.root.toolsets[0].sandbox.image: Keel's micro",
                    "the warning says why: a microVM is not a container runtime"),
            new Allowed("top/harness.yaml", "agents.claude_coder.harness: agent 'claude_coder' runs in the claude-c",
                    "needs a coding-agent CLI Keel does not drive (named at start)"),
            new Allowed("top/harness.yaml", "agents.codex_coder.harness: agent 'codex_coder' runs in the codex CLI,",
                    "needs a coding-agent CLI Keel does not drive (named at start)"),
            new Allowed("top/harness.yaml", "agents.opencode_coder.harness: agent 'opencode_coder' runs in the open",
                    "needs a coding-agent CLI Keel does not drive (named at start)"));

    /**
     * Corpus files that do not load yet, with the start of their error after its {@code file:line: } location, and
     * why. Same rules as {@link #ALLOWED}: anything else that fails to load fails the test, a stale entry too.
     */
    static final List<Allowed> FAILS_TO_LOAD = List.of();

    /** The typed error each bad file must fail with: its line, its field, and the field that was meant. */
    record Expected(int line, String field, String meant) {}

    static final Map<String, Expected> BAD = Map.ofEntries(
            Map.entry("subagents.yaml", new Expected(5, "agents.root.subagents", "sub_agents")),
            Map.entry("dashed-sub-agents.yaml", new Expected(4, "agents.root.sub-agents", "sub_agents")),
            Map.entry("instructions.yaml", new Expected(4, "agents.root.instructions", "instruction")),
            Map.entry("toolset-singular.yaml", new Expected(5, "agents.root.toolset", "toolsets")),
            Map.entry("model-field-typo.yaml", new Expected(4, "models.main.modle", "model")),
            Map.entry("provider-base-url.yaml", new Expected(3, "providers.gateway.base_ulr", "base_url")),
            Map.entry("fetch-allowed-domain.yaml",
                    new Expected(6, "agents.root.toolsets[0].allowed_domain", "allowed_domains")),
            Map.entry("hook-event.yaml", new Expected(5, "agents.root.hooks.pre_tool_us", "pre_tool_use")),
            Map.entry("hook-field.yaml", new Expected(7, "agents.root.hooks.session_start[0].comand", "command")),
            Map.entry("permissions-deny.yaml", new Expected(6, "permissions.denny", "deny")),
            Map.entry("top-level-models.yaml", new Expected(4, "modles", "models")),
            Map.entry("max-iteration.yaml", new Expected(4, "agents.root.max_iteration", "max_iterations")),
            Map.entry("remote-header.yaml", new Expected(8, "agents.root.toolsets[0].remote.header", "headers")),
            Map.entry("rag-strategies.yaml", new Expected(4, "rag.docs.strategys", "strategies")),
            Map.entry("flow-style-typo.yaml", new Expected(2, "agents.root.instrution", "instruction")),
            Map.entry("crlf-typo.yaml", new Expected(6, "agents.root.descripton", "description")),
            Map.entry("bom-typo.yaml", new Expected(4, "agents.root.add_dat", "add_date")));

    /**
     * Fields of Keel's own that no docker-agent file has, so the corpus of docker-agent files does not cover them
     * ({@code object.field}, as in {@link #schemaFields}; {@code object.*} for a whole object).
     */
    static final Set<String> KEEL_ONLY_FIELDS = Set.of("agent." + TeamSchema.WORKFLOW, "workflow.*",
            "toolset.allowed_hosts");

    @TempDir
    Path workingDirectory;

    static Path corpus() {
        try {
            return Path.of(TeamFileCorpusTest.class.getResource("/teams/corpus").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> files(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> goodFiles() {
        Path bad = corpus().resolve("bad");
        return files(corpus()).stream().filter(p -> !p.startsWith(bad)).toList();
    }

    /**
     * No variable set at all (no key, no token), tools working in a folder that is not the file's; that folder
     * holds the dotenv files {@code env_file} entries name, as a user's project would.
     */
    TeamOptions strangerOptions(Path file) {
        try {
            Files.writeString(workingDirectory.resolve(".env.tools"), "# tools\nTOOLS_MODE=ci\n");
            Files.writeString(workingDirectory.resolve(".env.mcp"), "export MCP_LOG=warn\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return TeamOptions.defaults(file.getParent()).withWorkingDirectory(workingDirectory).withEnv(Map.of());
    }

    static String relative(Path file) {
        return corpus().relativize(file).toString().replace('\\', '/');
    }

    /** The warning without its {@code file:line: } location. */
    static String unlocated(String warning) {
        return warning.replaceFirst("^[^:]*:\\d+: ", "");
    }

    @Test
    void everyCorpusFileLoadsWithNoVariableSetAndEveryWarningIsAccountedFor() throws IOException {
        List<Path> files = goodFiles();
        assertThat(files).as("the corpus").hasSizeGreaterThan(30);
        Map<String, List<String>> warnings = new LinkedHashMap<>();
        Map<String, String> loadErrors = new LinkedHashMap<>();
        Map<String, String> knownErrors = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        Set<Allowed> used = new LinkedHashSet<>();
        for (Path file : files) {
            String name = relative(file);
            Team team;
            try {
                team = Teams.load(file, strangerOptions(file));
            } catch (RuntimeException e) {
                String error = e.getClass().getSimpleName() + ": " + e.getMessage();
                Allowed known = e instanceof TeamFileException ? find(FAILS_TO_LOAD, name, e.getMessage()) : null;
                if (known == null) {
                    loadErrors.put(name, error);
                } else {
                    used.add(known);
                    knownErrors.put(name, error);
                }
                continue;
            }
            assertThat(team.agents()).as(name + ": agents").isNotEmpty();
            warnings.put(name, team.warnings());
            for (String w : team.warnings()) {
                assertThat(w).as("a warning names its file and line").matches(
                        java.util.regex.Pattern.quote(file.getFileName().toString()) + ":\\d+: .*");
                Allowed match = find(ALLOWED, name, w);
                if (match == null) {
                    unexpected.add(name + ": " + w);
                } else {
                    used.add(match);
                }
            }
        }
        String summary = summary(files.size(), warnings, knownErrors, loadErrors);
        Path out = Path.of("target", "team-corpus", "summary.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, summary, StandardCharsets.UTF_8);
        System.out.println(summary);

        List<Allowed> stale = Stream.concat(ALLOWED.stream(), FAILS_TO_LOAD.stream()).filter(a -> !used.contains(a))
                .toList();
        assertThat(loadErrors).as("corpus files that fail to load").isEmpty();
        assertThat(unexpected).as("warnings that are not on the ALLOWED list (act on the field, or allow it with "
                + "the reason)").isEmpty();
        assertThat(stale).as("ALLOWED entries no file warns about any more: remove them").isEmpty();
    }

    /** The entry of {@code list} for {@code located} (a warning or an error message) of corpus file {@code name}. */
    static Allowed find(List<Allowed> list, String name, String located) {
        return list.stream().filter(a -> a.file().equals(name) && unlocated(located).startsWith(a.warning()))
                .findFirst().orElse(null);
    }

    static String summary(int fileCount, Map<String, List<String>> warnings, Map<String, String> knownErrors,
                          Map<String, String> loadErrors) {
        int count = warnings.values().stream().mapToInt(List::size).sum();
        StringBuilder sb = new StringBuilder();
        sb.append("team file corpus: ").append(fileCount).append(" files, ").append(count).append(" warnings, ")
                .append(knownErrors.size()).append(" known load errors, ").append(loadErrors.size())
                .append(" other load errors\n");
        knownErrors.forEach((f, e) -> sb.append("  known load error ").append(f).append(": ").append(e).append('\n'));
        loadErrors.forEach((f, e) -> sb.append("  LOAD ERROR ").append(f).append(": ").append(e).append('\n'));
        warnings.forEach((f, ws) -> ws.forEach(w -> sb.append("  ").append(f).append(": ").append(unlocated(w))
                .append('\n')));
        return sb.toString();
    }

    @TestFactory
    Stream<DynamicTest> eachBadFileFailsWithALocatedDidYouMean() {
        List<Path> bad = files(corpus().resolve("bad"));
        assertThat(bad.stream().map(p -> p.getFileName().toString()).toList())
                .as("every bad file has its expected error, and every expected error its file")
                .containsExactlyInAnyOrderElementsOf(BAD.keySet());
        return bad.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            Expected expected = BAD.get(file.getFileName().toString());
            assertThatThrownBy(() -> Teams.load(file, strangerOptions(file)))
                    .isInstanceOfSatisfying(TeamFileException.class, e -> {
                        assertThat(e.file()).isEqualTo(file.getFileName().toString());
                        assertThat(e.line()).as("line").isEqualTo(expected.line());
                        assertThat(e.field()).as("field").isEqualTo(expected.field());
                        assertThat(e.problem()).contains("did you mean '" + expected.meant() + "'");
                    });
        }));
    }

    /** The byte-level oddities survive checkout (a {@code .gitattributes} keeps git from normalising them). */
    @Test
    void theStrangerFilesReallyHaveCrlfLineEndingsAndAByteOrderMark() throws IOException {
        for (String f : List.of("stranger/crlf.yaml", "bad/crlf-typo.yaml")) {
            String text = Files.readString(corpus().resolve(f), StandardCharsets.UTF_8);
            assertThat(text).as(f).contains("\r\n");
            assertThat(text.replace("\r\n", "")).as(f + ": every line ends in CRLF").doesNotContain("\n");
        }
        for (String f : List.of("stranger/bom.yaml", "bad/bom-typo.yaml")) {
            byte[] bytes = Files.readAllBytes(corpus().resolve(f));
            assertThat(bytes).as(f).startsWith((byte) 0xEF, (byte) 0xBB, (byte) 0xBF);
        }
    }

    /** What the Docker posts' files are about: the model's env map, the catalog ref, the team shape. */
    @Test
    void theFilesFromDockersPostsLoadAsTheTeamsTheyDescribe() {
        Path blog = corpus().resolve("blog");
        Team devTeam = Teams.load(blog.resolve("dev-team.yaml"), strangerOptions(blog.resolve("dev-team.yaml")));
        assertThat(devTeam.agents()).containsOnlyKeys("root", "designer", "engineer", "tester");
        assertThat(devTeam.root().subAgents()).extracting(a -> a.name())
                .containsExactly("designer", "engineer", "tester");

        Path podcastFile = blog.resolve("podcast-generator.yaml");
        Team podcast = Teams.load(podcastFile, strangerOptions(podcastFile));
        assertThat(podcast.root().subAgents()).extracting(a -> a.name()).containsExactly("researcher", "scriptwriter");
        // No GITHUB_TOKEN here: the key is asked for when the team is validated, under the name the file gave it.
        try (ModelRegistry noKeys = ModelRegistry.builder().environment(Map.of()).build()) {
            assertThatThrownBy(() -> podcast.validate(noKeys)).isInstanceOf(TeamValidationException.class)
                    .hasMessageContaining("GITHUB_TOKEN");
        }
        Map<String, String> tokenOnly = Map.of("GITHUB_TOKEN", "ghp-test");
        try (ModelRegistry withToken = ModelRegistry.builder().environment(tokenOnly).build()) {
            podcast.validate(withToken); // the token alone is enough: OPENAI_API_KEY is never needed
        }

        Path reviewerFile = blog.resolve("code-reviewer.yaml");
        Team reviewer = Teams.load(reviewerFile, strangerOptions(reviewerFile));
        assertThat(reviewer.agents()).containsOnlyKeys("root");
        assertThat(reviewer.permissions().deny()).contains("shell:cmd=git push*");
    }

    /**
     * The corpus uses every field of every object of the schema Keel reads ({@link TeamSchema}) and every toolset
     * type, so a field Keel learns (or docker-agent adds) without a corpus file using it fails here.
     */
    @Test
    void theCorpusUsesEveryFieldOfTheSchemaAndEveryToolsetType() throws Exception {
        Set<String> seen = new TreeSet<>();
        Set<String> types = new TreeSet<>();
        for (Path file : goodFiles()) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            Node doc = YamlTree.parse(text.startsWith("\uFEFF") ? text.substring(1) : text);
            mark(doc, TeamSchema.TOP, seen, types);
        }
        Set<String> missing = new TreeSet<>(schemaFields());
        missing.removeAll(seen);
        missing.removeIf(f -> KEEL_ONLY_FIELDS.contains(f)
                || KEEL_ONLY_FIELDS.contains(f.substring(0, f.lastIndexOf('.')) + ".*"));
        assertThat(missing).as("schema fields no corpus file uses (object.field)").isEmpty();
        Set<String> missingTypes = new TreeSet<>(TeamSchema.TOOLSET_TYPES);
        missingTypes.removeAll(types);
        assertThat(missingTypes).as("toolset types no corpus file uses").isEmpty();
    }

    /** Every {@code object.field} the schema declares. */
    static Set<String> schemaFields() {
        Set<String> out = new TreeSet<>();
        collect(TeamSchema.TOP, out, new IdentityHashMap<>());
        return out;
    }

    private static void collect(Shape shape, Set<String> out, IdentityHashMap<Shape, Boolean> done) {
        if (done.put(shape, true) != null) {
            return;
        }
        if (shape instanceof Obj o) {
            o.fields().forEach((k, v) -> {
                out.add(o.name() + "." + k);
                collect(v, out, done);
            });
        } else if (shape instanceof MapOf m) {
            collect(m.value(), out, done);
        } else if (shape instanceof ListOf l) {
            collect(l.item(), out, done);
        } else if (shape instanceof Either e) {
            e.options().forEach(s -> collect(s, out, done));
        }
    }

    /** Marks the schema fields {@code node} uses, walking the schema alongside the document. */
    private static void mark(Node node, Shape shape, Set<String> seen, Set<String> types) {
        if (shape instanceof Obj o && node instanceof MapNode m) {
            for (Entry e : m.entries().values()) {
                Shape field = o.fields().get(e.key());
                if (field != null) {
                    seen.add(o.name() + "." + e.key());
                    if (o == TeamSchema.TOOLSET && e.key().equals("type") && e.value() instanceof Scalar s) {
                        types.add(String.valueOf(s.value()));
                    }
                    mark(e.value(), field, seen, types);
                }
            }
        } else if (shape instanceof MapOf mo && node instanceof MapNode m) {
            m.entries().values().forEach(e -> mark(e.value(), mo.value(), seen, types));
        } else if (shape instanceof ListOf lo && node instanceof ListNode l) {
            l.items().forEach(i -> mark(i, lo.item(), seen, types));
        } else if (shape instanceof Either e) {
            e.options().stream().filter(o -> fits(node, o)).findFirst().ifPresent(o -> mark(node, o, seen, types));
        }
    }

    private static boolean fits(Node node, Shape shape) {
        if (shape instanceof Obj || shape instanceof MapOf) {
            return node instanceof MapNode;
        }
        if (shape instanceof ListOf) {
            return node instanceof ListNode;
        }
        if (shape instanceof TeamSchema.Scalar) {
            return node instanceof Scalar;
        }
        if (shape instanceof Either e) {
            return e.options().stream().anyMatch(o -> fits(node, o));
        }
        return true;
    }
}
