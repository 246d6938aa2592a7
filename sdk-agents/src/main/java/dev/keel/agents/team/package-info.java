/** Team files in the cagent / Docker Agent YAML format: {@link dev.keel.agents.team.Teams}. */
package dev.keel.agents.team;
