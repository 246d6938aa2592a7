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
