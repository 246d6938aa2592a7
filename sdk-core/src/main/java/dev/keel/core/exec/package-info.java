/**
 * Running commands: the {@link dev.keel.core.exec.CommandRunner} contract that sandboxes implement and
 * the agents' shell toolset consumes, plus {@link dev.keel.core.exec.LocalCommandRunner} for the host.
 */
package dev.keel.core.exec;
