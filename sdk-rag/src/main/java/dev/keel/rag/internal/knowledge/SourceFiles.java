package dev.keel.rag.internal.knowledge;

import dev.keel.rag.chunk.Source;
import dev.keel.rag.knowledge.KnowledgeBaseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the documents of a knowledge base: files under directories (matching globs), single files and
 * in-memory documents. With {@code respectVcs}, {@code .git} directories are skipped and {@code .gitignore}
 * files are honoured (blank lines and {@code #} comments ignored; {@code !} re-includes; a trailing
 * {@code /} matches directories only; a pattern with a {@code /} elsewhere is anchored at its
 * {@code .gitignore}'s directory; {@code *}, {@code ?}, {@code **} as in git). Symbolic links are not
 * followed. Immutable.
 */
public final class SourceFiles {

    /** One configured source: a directory with globs, a single file, or an in-memory document. */
    public record Spec(Path path, List<String> globs, Source document) {
        public Spec {
            globs = List.copyOf(globs);
        }

        public static Spec directory(Path dir, List<String> globs) {
            return new Spec(dir.toAbsolutePath().normalize(), globs.isEmpty() ? List.of("**/*") : globs, null);
        }

        public static Spec file(Path file) {
            return new Spec(file.toAbsolutePath().normalize(), List.of(), null);
        }

        public static Spec document(Source source) {
            return new Spec(null, List.of(), Objects.requireNonNull(source, "source"));
        }

        /** The directories to watch for this source (empty for in-memory documents). */
        public Path watchRoot() {
            if (document != null) {
                return null;
            }
            return Files.isDirectory(path) ? path : path.getParent();
        }

        @Override
        public String toString() {
            return document != null ? "document " + document.id() : path + (globs.isEmpty() ? "" : " " + globs);
        }
    }

    /** A document found: its id (for citations) and where its text is. */
    public record Document(String id, Path file, Source inMemory) {
    }

    private SourceFiles() {
    }

    /** Every document of {@code specs}, by id, in a stable order. */
    public static Map<String, Document> scan(List<Spec> specs, boolean respectVcs) {
        return scan(specs, respectVcs, List.of());
    }

    /** Like {@link #scan(List, boolean)}, never descending into {@code excluded} (the index directories). */
    public static Map<String, Document> scan(List<Spec> specs, boolean respectVcs, java.util.Collection<Path> excluded) {
        Map<String, Document> found = new LinkedHashMap<>();
        for (Spec spec : specs) {
            if (spec.document() != null) {
                add(found, new Document(spec.document().id(), null, spec.document()));
            } else if (Files.isDirectory(spec.path())) {
                scanDirectory(spec, respectVcs, excluded, found);
            } else if (Files.isRegularFile(spec.path(), LinkOption.NOFOLLOW_LINKS)) {
                add(found, new Document(spec.path().getFileName().toString(), spec.path(), null));
            } else if (Files.exists(spec.path())) {
                throw new KnowledgeBaseException("source " + spec.path() + " is neither a file nor a directory");
            }
            // a missing file or directory has no documents (it may appear later; watching picks it up)
        }
        return found;
    }

    private static void add(Map<String, Document> found, Document document) {
        Document before = found.putIfAbsent(document.id(), document);
        if (before != null && !Objects.equals(before.file(), document.file())) {
            throw new KnowledgeBaseException("two sources give the document id '" + document.id() + "': "
                    + describe(before) + " and " + describe(document) + "; rename one or add them as directories");
        }
    }

    private static String describe(Document d) {
        return d.file() != null ? d.file().toString() : "in-memory document";
    }

    private static void scanDirectory(Spec spec, boolean respectVcs, java.util.Collection<Path> excluded, Map<String, Document> found) {
        Path root = spec.path();
        List<PathMatcher> matchers = new ArrayList<>();
        for (String glob : spec.globs()) {
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            if (glob.startsWith("**/")) {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob.substring(3)));
            }
        }
        String prefix = root.getFileName() == null ? "" : root.getFileName() + "/";
        List<GitIgnore> ignores = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (excluded.stream().anyMatch(dir::startsWith)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (respectVcs && !dir.equals(root)) {
                        if (dir.getFileName().toString().equals(".git") || ignored(ignores, dir, true)) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                    }
                    if (respectVcs) {
                        Path gitignore = dir.resolve(".gitignore");
                        if (Files.isRegularFile(gitignore)) {
                            ignores.add(GitIgnore.read(gitignore));
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    ignores.removeIf(ignore -> ignore.directory().equals(dir));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (!attrs.isRegularFile()) {
                        return FileVisitResult.CONTINUE;
                    }
                    Path relative = root.relativize(file);
                    boolean matches = false;
                    for (PathMatcher matcher : matchers) {
                        if (matcher.matches(relative)) {
                            matches = true;
                            break;
                        }
                    }
                    if (matches && !(respectVcs && ignored(ignores, file, false))) {
                        add(found, new Document(prefix + relative.toString().replace('\\', '/'), file, null));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new KnowledgeBaseException("cannot list source directory " + root + ": " + e.getMessage(), e);
        }
    }

    private static boolean ignored(List<GitIgnore> ignores, Path path, boolean directory) {
        Boolean verdict = null;
        for (GitIgnore ignore : ignores) { // outer .gitignore files first, inner ones override
            Boolean v = ignore.verdict(path, directory);
            if (v != null) {
                verdict = v;
            }
        }
        return verdict != null && verdict;
    }

    /** The rules of one {@code .gitignore} file. */
    record GitIgnore(Path directory, List<Rule> rules) {
        record Rule(PathMatcher matcher, boolean negated, boolean directoryOnly) {
        }

        static GitIgnore read(Path file) {
            List<Rule> rules = new ArrayList<>();
            try {
                for (String raw : Files.readAllLines(file)) {
                    String line = raw.strip();
                    if (line.isEmpty() || line.startsWith("#")) {
                        continue;
                    }
                    boolean negated = line.startsWith("!");
                    if (negated) {
                        line = line.substring(1);
                    }
                    boolean directoryOnly = line.endsWith("/");
                    if (directoryOnly) {
                        line = line.substring(0, line.length() - 1);
                    }
                    boolean anchored = line.contains("/");
                    if (line.startsWith("/")) {
                        line = line.substring(1);
                    }
                    if (line.isEmpty()) {
                        continue;
                    }
                    String glob = anchored ? line : "**/" + line;
                    rules.add(new Rule(FileSystems.getDefault().getPathMatcher("glob:" + glob), negated, directoryOnly));
                    if (!anchored) {
                        rules.add(new Rule(FileSystems.getDefault().getPathMatcher("glob:" + line), negated,
                                directoryOnly));
                    }
                }
            } catch (IOException e) {
                throw new KnowledgeBaseException("cannot read " + file + ": " + e.getMessage(), e);
            }
            return new GitIgnore(file.getParent(), List.copyOf(rules));
        }

        /** True to ignore, false to re-include, null when no rule matches. */
        Boolean verdict(Path path, boolean isDirectory) {
            if (!path.startsWith(directory)) {
                return null;
            }
            Path relative = directory.relativize(path);
            Boolean verdict = null;
            for (Rule rule : rules) {
                if (rule.directoryOnly() && !isDirectory) {
                    continue;
                }
                if (rule.matcher().matches(relative)) {
                    verdict = !rule.negated();
                }
            }
            return verdict;
        }
    }
}
