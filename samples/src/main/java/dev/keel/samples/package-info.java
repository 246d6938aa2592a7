/** Runnable samples. Each class with a {@code main} is started by {@code samples/run <name>}. */
package dev.keel.samples;
