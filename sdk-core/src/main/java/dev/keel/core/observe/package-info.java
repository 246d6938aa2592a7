/**
 * Observation: content-free reports of what Keel's components did (a command ran, a retrieval found hits,
 * a permission filter decided), delivered to whoever observes the current step — OpenTelemetry through
 * {@link dev.keel.core.observe.Telemetry}, a run recording, or your own {@link dev.keel.core.observe.Observer}.
 *
 * <p>An {@link dev.keel.core.observe.ObservationContext} is current on a thread while a step runs; Keel makes
 * it current around each agent step and carries it to the threads it starts, so a permission filter called
 * deep inside a tool reports to that tool's span without any wiring. No observation ever carries document
 * text, command output, prompts or answers.
 */
package dev.keel.core.observe;
