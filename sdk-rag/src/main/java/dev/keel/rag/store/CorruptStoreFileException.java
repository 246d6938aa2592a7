package dev.keel.rag.store;

import java.nio.file.Path;

/**
 * A store file is not a valid Keel vector file: wrong magic or version, truncated, or its checksum does
 * not match. Nothing was loaded.
 */
public final class CorruptStoreFileException extends VectorStoreException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param file the file that could not be read
     * @param problem what is wrong with it
     */
    public CorruptStoreFileException(Path file, String problem) {
        super("vector store file " + file + " is corrupt: " + problem);
        this.file = file;
    }

    /**
     * The rejected file.
     *
     * @return the rejected file
     */
    public Path file() {
        return file;
    }
}
