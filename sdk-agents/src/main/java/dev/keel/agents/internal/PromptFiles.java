package dev.keel.agents.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * docker-agent's {@code add_prompt_files}: each named file is looked up in the working directory and its
 * parents (the nearest wins), then in the home directory; the contents found are joined, each under its path.
 * Files are read at every call, so edits show on the next turn. Missing files are skipped. Not API.
 */
public final class PromptFiles {
    private static final int MAX_BYTES = 256 * 1024;
    private static final int MAX_LISTED = 200;

    private PromptFiles() {}

    /** The contents of {@code names} found from {@code workingDirectory} upwards or in the home directory. */
    public static String read(List<String> names, Path workingDirectory) {
        List<String> parts = new ArrayList<>();
        for (String name : names) {
            Path found = find(name, workingDirectory);
            if (found == null) {
                continue;
            }
            try {
                byte[] bytes = Files.readAllBytes(found);
                String text = new String(bytes, 0, Math.min(bytes.length, MAX_BYTES), StandardCharsets.UTF_8).strip();
                parts.add("Contents of " + found + ":\n" + text);
            } catch (IOException e) {
                // an unreadable prompt file is skipped like a missing one
            }
        }
        return String.join("\n\n", parts);
    }

    /**
     * docker-agent's {@code add_prompt_files_depth}: the paths (not the contents) of files called one of {@code names}
     * up to {@code depth} directory levels below {@code workingDirectory} (1 = its direct subdirectories), relative to
     * it and sorted, for the agent to read the ones it needs; hidden folders and {@code node_modules} are skipped, and
     * at most {@value #MAX_LISTED} are listed. Empty when {@code depth} is 0 or none is found.
     */
    public static String below(List<String> names, Path workingDirectory, int depth) {
        if (depth <= 0 || names.isEmpty()) {
            return "";
        }
        java.util.Set<String> wanted = new java.util.HashSet<>();
        names.forEach(n -> wanted.add(Path.of(n).getFileName().toString()));
        Path root = workingDirectory.toAbsolutePath().normalize();
        java.util.TreeSet<String> found = new java.util.TreeSet<>();
        try {
            Files.walkFileTree(root, java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class), depth + 1,
                    new java.nio.file.SimpleFileVisitor<>() {
                        @Override
                        public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
                                java.nio.file.attribute.BasicFileAttributes attrs) {
                            String n = dir.getFileName() == null ? "" : dir.getFileName().toString();
                            return !dir.equals(root) && (n.startsWith(".") || n.equals("node_modules"))
                                    ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
                        }

                        @Override
                        public java.nio.file.FileVisitResult visitFile(Path file,
                                java.nio.file.attribute.BasicFileAttributes attrs) {
                            if (attrs.isRegularFile() && !file.getParent().equals(root)
                                    && wanted.contains(file.getFileName().toString()) && found.size() < MAX_LISTED) {
                                found.add(root.relativize(file).toString());
                            }
                            return java.nio.file.FileVisitResult.CONTINUE;
                        }

                        @Override
                        public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                            return java.nio.file.FileVisitResult.CONTINUE; // an unreadable folder is skipped
                        }
                    });
        } catch (IOException e) {
            return "";
        }
        if (found.isEmpty()) {
            return "";
        }
        return "More " + String.join(", ", new java.util.TreeSet<>(wanted)) + " files below the working directory "
                + root + " (not loaded; read the ones relevant to the task):\n- " + String.join("\n- ", found);
    }

    /** The nearest file called {@code name}: the working directory, its parents, then the home directory. */
    public static Path find(String name, Path workingDirectory) {
        Path rel = Path.of(name);
        if (rel.isAbsolute()) {
            return Files.isRegularFile(rel) ? rel : null;
        }
        for (Path dir = workingDirectory.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(rel).normalize();
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        Path home = Path.of(System.getProperty("user.home")).resolve(rel).normalize();
        return Files.isRegularFile(home) ? home : null;
    }
}
