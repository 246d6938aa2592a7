package dev.keel.agents;

import dev.keel.agents.approval.Approver;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.approval.Safety;
import dev.keel.agents.hooks.Hooks;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * What a runner's builder fixed for every run, read by the agent loop (which never reaches into the runner's
 * fields). Immutable.
 *
 * @param permissions        team-level permission patterns, merged with each agent's
 * @param yolo               approve what no pattern denies or asks for
 * @param approver           answers calls that need asking
 * @param clock              today's date for {@code add_date}
 * @param workingDirectory   reported by {@code add_environment_info}
 * @param maxToolResultChars longest tool result passed to the model
 * @param prices             model label → price
 * @param executor           threads for parallel tool calls
 * @param hooks              hooks of every agent, run before each agent's own
 * @param safety             the safety mode of agents that set none
 */
record RunSettings(Permissions permissions, boolean yolo, Approver approver, Clock clock, Path workingDirectory,
                   int maxToolResultChars, Map<String, ModelPrice> prices, ExecutorService executor, Hooks hooks,
                   Safety safety) {
    RunSettings {
        Objects.requireNonNull(permissions, "permissions");
        Objects.requireNonNull(approver, "approver");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        prices = Map.copyOf(prices);
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(hooks, "hooks");
        Objects.requireNonNull(safety, "safety");
    }

    /** The price of a model ({@code provider/model}, a model's id or label), or {@code null} when unknown. */
    ModelPrice price(String model) {
        return prices.get(model);
    }
}
