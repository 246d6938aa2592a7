package dev.keel.agents.recording;

import dev.keel.agents.internal.recording.RecordingFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The content of a run recording: its steps in a stable order (a session's steps by turn and call index,
 * a delegated task's steps right after the delegation, whatever order parallel work finished in), the tools
 * each agent's toolsets offered, and the workspace roots the run used.
 *
 * <p>Two sources are read: Keel's own recordings ({@code format: keel-recording}) and docker-agent's
 * {@code --record} cassettes (go-vcr YAML, {@code version: 2}), which hold model calls only; for those
 * {@link #unusedFields()} lists what Keel does not use. Immutable and thread-safe.
 */
public final class RecordedRun {
    /** Where a recording came from. */
    public enum Source {
        /** Keel's run recording: every step of the run. */
        KEEL,
        /** A docker-agent cassette: model calls only, without agent or turn. */
        DOCKER_AGENT
    }

    private final Source source;
    private final List<String> workspaces;
    private final List<RecordedToolset> toolsets;
    private final List<RecordedStep> steps;
    private final List<String> unusedFields;

    /**
     * A recording's content.
     *
     * @param source       where it came from
     * @param workspaces   the workspace roots of the recorded run, as absolute paths
     * @param toolsets     the tools each agent's toolsets offered
     * @param steps        the steps, in recording order
     * @param unusedFields fields of the source file that Keel read past (docker-agent cassettes), empty for Keel's own
     */
    public RecordedRun(Source source, List<String> workspaces, List<RecordedToolset> toolsets, List<RecordedStep> steps,
                       List<String> unusedFields) {
        this.source = Objects.requireNonNull(source, "source");
        this.workspaces = List.copyOf(workspaces);
        this.toolsets = List.copyOf(toolsets);
        this.steps = List.copyOf(steps);
        this.unusedFields = List.copyOf(unusedFields);
    }

    /**
     * Reads a recording: Keel's format or a docker-agent cassette.
     *
     * @param file the recording file
     * @return the recording
     * @throws RecordingFormatException when the file is neither, naming the file and the problem
     * @throws RecordingException       when the file cannot be read
     */
    public static RecordedRun read(Path file) {
        return RecordingFile.read(file);
    }

    /**
     * Where the recording came from.
     *
     * @return where the recording came from
     */
    public Source source() {
        return source;
    }

    /**
     * The workspace roots of the recorded run.
     *
     * @return the workspace roots of the recorded run
     */
    public List<String> workspaces() {
        return workspaces;
    }

    /**
     * The tools each agent's toolsets offered.
     *
     * @return the tools each agent's toolsets offered
     */
    public List<RecordedToolset> toolsets() {
        return toolsets;
    }

    /**
     * Every step.
     *
     * @return every step
     */
    public List<RecordedStep> steps() {
        return steps;
    }

    /**
     * The steps of one kind, for example {@code steps(RecordedStep.ToolExecution.class)}.
     *
     * @param <T> the kind of step
     * @param kind the step class
     * @return the steps of that kind, in recording order
     */
    public <T extends RecordedStep> List<T> steps(Class<T> kind) {
        return steps.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /**
     * The model calls.
     *
     * @return the model calls
     */
    public List<RecordedStep.ModelCall> modelCalls() {
        return steps(RecordedStep.ModelCall.class);
    }

    /**
     * The tool calls that ran.
     *
     * @return the tool calls that ran
     */
    public List<RecordedStep.ToolExecution> toolExecutions() {
        return steps(RecordedStep.ToolExecution.class);
    }

    /**
     * Fields of the source file that Keel does not use (docker-agent cassettes: protocol, host, content
     * length, headers, timing, …), as {@code path: why}. Empty for Keel's own recordings.
     *
     * @return fields of the source file that Keel does not use (docker-agent cassettes: protocol, host, content
     *     length, headers, timing, …), as {@code path: why}
     */
    public List<String> unusedFields() {
        return unusedFields;
    }

    /**
     * The YAML text of this recording in Keel's format (what {@code Recording} writes).
     *
     * @return the YAML text of this recording in Keel's format (what {@code Recording} writes)
     */
    public String toYaml() {
        return RecordingFile.toYaml(this);
    }

    @Override
    public String toString() {
        return "RecordedRun[" + source + ", " + steps.size() + " steps, " + modelCalls().size() + " model calls, "
                + toolExecutions().size() + " tool executions]";
    }
}
