/**
 * What a run recording holds, as values: every model call, tool execution, delegation, handoff, approval
 * decision, permission check, command and fetch of a recorded run, each tagged with agent, session, turn and
 * call index. Read a file with {@link dev.keel.agents.recording.RecordedRun#read}; record or replay with
 * {@link dev.keel.agents.Recording}.
 */
package dev.keel.agents.recording;
