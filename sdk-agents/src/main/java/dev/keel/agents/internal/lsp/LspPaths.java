package dev.keel.agents.internal.lsp;

import java.net.URI;
import java.nio.file.Path;

/** {@code file:} URIs of paths and back, as language servers write them. */
final class LspPaths {
    private LspPaths() {}

    /** The {@code file:} URI of an absolute path (no trailing slash, percent-encoded). */
    static String uri(Path path) {
        String u = path.toAbsolutePath().normalize().toUri().toString();
        return u.endsWith("/") && u.length() > "file:///".length() ? u.substring(0, u.length() - 1) : u;
    }

    /** The path of a {@code file:} URI, or null for another scheme or a malformed URI. */
    static Path path(String uri) {
        try {
            URI u = URI.create(uri);
            return "file".equalsIgnoreCase(u.getScheme()) ? Path.of(u) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
