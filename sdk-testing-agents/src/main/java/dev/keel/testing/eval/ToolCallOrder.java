package dev.keel.testing.eval;

/** How an evaluation matches its expected tool calls against the calls a run made. */
public enum ToolCallOrder {
    /** The expected calls appear in this order; other calls may come between them. */
    IN_ORDER,
    /** Each expected call is matched by a different call of the run, in any order; other calls may occur. */
    ANY_ORDER
}
