package dev.keel.agents.internal.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A language server's WorkspaceEdit (its {@code documentChanges} or, without them, its {@code changes}) checked in
 * full, then written all or nothing. Every file it names must pass the workspace's confinement (the same as the
 * tools' paths: inside the working directory, also through symbolic links, an existing file of a handled type); a
 * document the server was sent must still be on disk as it was sent, at the version the edit names; every edit must
 * be in range and none may overlap. Resource operations (create, rename, delete) are refused: the client announces
 * none. Files are written through a temporary file in their folder, moved into place once every file is written and
 * checked unchanged, so a refused or failed edit leaves every file as it was.
 */
final class WorkspaceEdits {
    private WorkspaceEdits() {}

    /**
     * What the server was last sent for a file.
     *
     * @param version the document version
     * @param text    its text
     */
    record Seen(int version, String text) {}

    /** The files an edit may touch. */
    interface Workspace {
        /**
         * The real path of a file a URI names, once it passes the confinement.
         *
         * @throws IllegalArgumentException when it does not
         * @throws IOException              when it cannot be read
         */
        Path confine(String uri) throws IOException;

        /** What the server was last sent for a (real) path, or null when it was never sent. */
        Seen seen(Path file);
    }

    /**
     * One file's new text.
     *
     * @param file   the real path
     * @param before its text when checked
     * @param after  its text with the edits applied
     * @param edits  how many text edits
     */
    record Change(Path file, String before, String after, int edits) {}

    /**
     * The checked changes of an edit, in the order the server named the files.
     *
     * @throws IllegalArgumentException naming the first problem; nothing is written
     */
    static List<Change> plan(JsonNode edit, Workspace workspace) throws IOException {
        if (edit == null || !edit.isObject()) {
            throw new IllegalArgumentException("the language server's edit is not a WorkspaceEdit: " + edit);
        }
        Map<Path, Change> changes = new LinkedHashMap<>();
        JsonNode documentChanges = edit.get("documentChanges");
        if (documentChanges != null && !documentChanges.isNull()) {
            if (!documentChanges.isArray()) {
                throw new IllegalArgumentException("documentChanges is not a list: " + documentChanges);
            }
            for (JsonNode doc : documentChanges) {
                if (doc.has("kind")) {
                    throw new IllegalArgumentException("the edit " + resourceOperation(doc) + "; Keel's lsp tools "
                            + "apply text edits only");
                }
                JsonNode id = doc.path("textDocument");
                Path file = workspace.confine(id.path("uri").asText(""));
                JsonNode version = id.get("version");
                Change prior = changes.get(file);
                String text = prior != null ? prior.after() : current(file, workspace, version);
                // Successive edits of one document apply to its text as the earlier ones left it.
                List<TextEdits.Edit> edits = edits(doc.path("edits"), id.path("uri").asText());
                changes.put(file, new Change(file, prior != null ? prior.before() : text, apply(text, edits, file),
                        edits.size() + (prior != null ? prior.edits() : 0)));
            }
        } else {
            JsonNode byUri = edit.path("changes");
            if (!byUri.isObject() && !byUri.isMissingNode() && !byUri.isNull()) {
                throw new IllegalArgumentException("changes is not a map of URIs to edits: " + byUri);
            }
            // Two spellings of one file's URI: their edits all refer to its original text.
            Map<Path, List<TextEdits.Edit>> edits = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : byUri.properties()) {
                edits.computeIfAbsent(workspace.confine(e.getKey()), k -> new ArrayList<>())
                        .addAll(edits(e.getValue(), e.getKey()));
            }
            for (Map.Entry<Path, List<TextEdits.Edit>> e : edits.entrySet()) {
                String text = current(e.getKey(), workspace, null);
                changes.put(e.getKey(), new Change(e.getKey(), text, apply(text, e.getValue(), e.getKey()),
                        e.getValue().size()));
            }
        }
        return List.copyOf(changes.values());
    }

    /**
     * Checked changes of a list of text edits for one file (a formatting answer).
     *
     * @throws IllegalArgumentException naming the problem; nothing is written
     */
    static Change plan(Path file, JsonNode textEdits, Workspace workspace) throws IOException {
        String text = current(file, workspace, null);
        List<TextEdits.Edit> edits = edits(textEdits, file.toString());
        return new Change(file, text, apply(text, edits, file), edits.size());
    }

    private static String resourceOperation(JsonNode op) {
        String kind = op.path("kind").asText();
        return switch (kind) {
            case "create" -> "creates a file (" + op.path("uri").asText() + ")";
            case "delete" -> "deletes a file (" + op.path("uri").asText() + ")";
            case "rename" -> "renames a file (" + op.path("oldUri").asText() + " to " + op.path("newUri").asText() + ")";
            default -> "has a resource operation '" + kind + "'";
        };
    }

    private static List<TextEdits.Edit> edits(JsonNode list, String uri) {
        if (!list.isArray()) {
            throw new IllegalArgumentException("the edits for " + uri + " are not a list");
        }
        List<TextEdits.Edit> edits = new ArrayList<>();
        for (JsonNode e : list) {
            if (e.has("snippet")) {
                throw new IllegalArgumentException("a snippet edit for " + uri + "; Keel's lsp tools apply text edits");
            }
            edits.add(TextEdits.Edit.of(e));
        }
        return edits;
    }

    private static String apply(String text, List<TextEdits.Edit> edits, Path file) {
        try {
            return TextEdits.apply(text, edits);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " in " + file.getFileName());
        }
    }

    /** The file's text on disk, checked against what the server was sent (and the version the edit names). */
    private static String current(Path file, Workspace workspace, JsonNode version) throws IOException {
        String text = read(file);
        Seen seen = workspace.seen(file);
        if (version != null && !version.isNull()) {
            if (seen == null) {
                throw new IllegalArgumentException("the edit names version " + version.asText() + " of "
                        + file.getFileName() + ", which was never sent to the language server");
            }
            if (!version.canConvertToInt() || version.asInt() != seen.version()) {
                throw new IllegalArgumentException("the edit is for version " + version.asText() + " of "
                        + file.getFileName() + ", but the language server was sent version " + seen.version());
            }
        }
        if (seen != null && !seen.text().equals(text)) {
            throw new IllegalArgumentException(file.getFileName() + " changed on disk since the language server "
                    + "read it; ask again");
        }
        return text;
    }

    private static String read(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException(file.getFileName() + " is not UTF-8 text");
        }
    }

    /**
     * Writes every change, or none: each new text goes to a temporary file beside its file; once all are written
     * and every file is still as checked, each is moved into place (atomically where the file system can).
     *
     * @throws IllegalArgumentException when a file changed since it was checked (nothing written)
     * @throws IOException              when writing fails (files already moved are written back as they were)
     */
    static void write(List<Change> changes) throws IOException {
        Map<Change, Path> temps = new LinkedHashMap<>();
        List<Change> moved = new ArrayList<>();
        boolean done = false;
        try {
            for (Change c : changes) {
                if (c.after().equals(c.before())) {
                    continue;
                }
                Path temp = Files.createTempFile(c.file().getParent(), "." + c.file().getFileName() + ".", ".keel");
                temps.put(c, temp);
                Files.writeString(temp, c.after(), StandardCharsets.UTF_8);
                copyPermissions(c.file(), temp);
            }
            for (Change c : temps.keySet()) {
                if (!read(c.file()).equals(c.before())) {
                    throw new IllegalArgumentException(c.file().getFileName() + " changed on disk while the edit was "
                            + "prepared; nothing written");
                }
            }
            for (Map.Entry<Change, Path> e : temps.entrySet()) {
                move(e.getValue(), e.getKey().file());
                moved.add(e.getKey());
            }
            done = true;
        } finally {
            for (Path temp : temps.values()) {
                Files.deleteIfExists(temp);
            }
            if (!done) {
                restore(moved);
            }
        }
    }

    private static void restore(List<Change> moved) throws IOException {
        IOException failed = null;
        for (Change c : moved) {
            try {
                Files.writeString(c.file(), c.before(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                if (failed == null) {
                    failed = new IOException("could not restore " + c.file() + " after a failed edit", e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        PosixFileAttributeView source = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        PosixFileAttributeView target = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (source != null && target != null) {
            target.setPermissions(source.readAttributes().permissions());
        }
    }
}
