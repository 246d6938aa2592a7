/** Benchmark suites, started by {@code benchmarks/run <suite>}; each prints {@code keel-bench} lines. */
package dev.keel.benchmarks;
