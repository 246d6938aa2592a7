/**
 * Tool approval: {@link dev.keel.agents.approval.Permissions} (allow / ask / deny patterns with argument
 * globs) and the {@link dev.keel.agents.approval.Approver} callback that answers "ask".
 */
package dev.keel.agents.approval;
