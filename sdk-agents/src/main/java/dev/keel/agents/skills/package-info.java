/**
 * Agent skills: {@code SKILL.md} folders and published skill indexes an agent reads on demand
 * ({@link dev.keel.agents.skills.Skills}, {@link dev.keel.agents.skills.SkillSource},
 * {@link dev.keel.agents.skills.Skill}).
 */
package dev.keel.agents.skills;
