package dev.keel.core.internal.provider;

import dev.keel.core.message.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Assembles streamed tool calls: argument fragments arrive per call index, the id and name usually
 * only in the first fragment. Fragments of different calls may interleave; fragments of one call
 * arrive in order. Not thread-safe: one assembler per streamed answer.
 */
public final class ToolCallAssembler {

    /** A tool call under construction. */
    public static final class Partial {
        private final int index;
        private String id;
        private String name;
        private final StringBuilder arguments = new StringBuilder();
        private boolean completed;

        private Partial(int index) {
            this.index = index;
        }

        public int index() {
            return index;
        }

        /** The id, or null while not yet known. */
        public String id() {
            return id;
        }

        /** The name, or null while not yet known. */
        public String name() {
            return name;
        }

        /** The arguments text received so far. */
        public String arguments() {
            return arguments.toString();
        }

        public boolean isCompleted() {
            return completed;
        }
    }

    private final Map<Integer, Partial> calls = new TreeMap<>();

    /**
     * Records a fragment. Null or empty {@code id}/{@code name} leave what is known unchanged; a null
     * {@code argumentsDelta} adds nothing.
     *
     * @return the call's state after the fragment
     */
    public Partial add(int index, String id, String name, String argumentsDelta) {
        if (index < 0) {
            throw new IllegalArgumentException("tool call index cannot be negative: " + index);
        }
        Partial p = calls.computeIfAbsent(index, Partial::new);
        if (id != null && !id.isEmpty()) {
            p.id = id;
        }
        if (name != null && !name.isEmpty()) {
            p.name = p.name == null ? name : p.name;
        }
        if (argumentsDelta != null) {
            p.arguments.append(argumentsDelta);
        }
        return p;
    }

    /** True when no fragment was recorded. */
    public boolean isEmpty() {
        return calls.isEmpty();
    }

    /** True when {@code index} has been seen. */
    public boolean contains(int index) {
        return calls.containsKey(index);
    }

    /**
     * Completes one call. A call whose id never arrived gets {@code call_<index>} (some local servers
     * omit ids); a call without a name is malformed.
     *
     * @throws IllegalStateException when the index is unknown or the name never arrived
     */
    public ToolCall complete(int index) {
        Partial p = calls.get(index);
        if (p == null) {
            throw new IllegalStateException("no tool call with index " + index);
        }
        if (p.name == null) {
            throw new IllegalStateException("tool call " + index + " has no name");
        }
        p.completed = true;
        return new ToolCall(p.id == null ? "call_" + index : p.id, p.name, p.arguments.toString());
    }

    /** Completes every call not completed yet, in index order. */
    public List<ToolCall> completeRemaining() {
        List<ToolCall> out = new ArrayList<>();
        for (Partial p : calls.values()) {
            if (!p.completed) {
                out.add(complete(p.index));
            }
        }
        return out;
    }

    /** Every call, completed or not, as it stands, in index order. */
    public List<ToolCall> all() {
        List<ToolCall> out = new ArrayList<>();
        for (Partial p : calls.values()) {
            out.add(new ToolCall(p.id == null ? "call_" + p.index : p.id, p.name == null ? "" : p.name,
                    p.arguments.toString()));
        }
        return out;
    }

    @Override
    public String toString() {
        return "ToolCallAssembler[calls=" + calls.size() + "]";
    }
}
