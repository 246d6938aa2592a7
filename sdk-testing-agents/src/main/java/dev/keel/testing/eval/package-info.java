/**
 * Evaluations of agent teams in the spirit of {@code docker agent eval}: {@link dev.keel.testing.eval.EvalCase}s
 * with expected tool calls, output checks and relevance statements, run by an
 * {@link dev.keel.testing.eval.Evaluator} (concurrently, live or replayed from recordings) and reported as JUnit
 * tests and a JSON/Markdown {@link dev.keel.testing.eval.EvalReport}. Needs sdk-agents.
 */
package dev.keel.testing.eval;
