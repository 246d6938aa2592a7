package dev.keel.authz;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A SpiceDB object: a type and an id, written {@code document:doc1}. The id {@code *} is the wildcard
 * (only meaningful as a subject, {@code user:*}).
 *
 * @param type object type as declared in the schema, for example {@code document}
 * @param id   object id, for example {@code doc1}
 */
public record ObjectRef(String type, String id) {
    static final Pattern TYPE = Pattern.compile("([a-z][a-z0-9_]{1,61}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]");
    static final Pattern ID = Pattern.compile("[a-zA-Z0-9/_|\\-=+]{1,1024}|\\*");

    /**
     * Validates type and id against SpiceDB's rules, so bad input fails here and not on the server.
     *
     * @param id object id, for example {@code doc1}
     * @param type object type as declared in the schema, for example {@code document}
     */
    public ObjectRef {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        if (!TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("invalid object type '" + type
                    + "': lower-case letters, digits and _, 3-64 characters, starting with a letter");
        }
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid object id '" + id + "' for type " + type
                    + ": letters, digits and / _ | - = + (or * for the wildcard), at most 1024 characters");
        }
    }

    /**
     * Creates a reference to {@code type:id}.
     *
     * @param type the object type
     * @param id the object id
     * @return the reference
     */
    public static ObjectRef of(String type, String id) {
        return new ObjectRef(type, id);
    }

    /**
     * Parses {@code type:id}.
     *
     * @param text the text
     * @return the reference
     */
    public static ObjectRef parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected type:id, got '" + text + "'");
        }
        return new ObjectRef(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return type + ":" + id;
    }
}
