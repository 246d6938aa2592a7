package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Agent;
import dev.keel.core.exec.LocalCommandRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import okhttp3.OkHttpClient;

/**
 * For random acyclic teams, the YAML rendering of a team loads into exactly the graph built by hand in Java;
 * adding one back edge makes it a located cycle error.
 */
class TeamGraphPropertyTest {
    private static final TeamOptions OPTIONS = TeamOptions.defaults(Path.of("/srv/team")).withEnv(Map.of())
            .withCommandRunner(LocalCommandRunner.create()).withHttpClient(new OkHttpClient());

    /** One agent of a generated team: its sub-agents and handoffs point only to later agents. */
    record Spec(String instruction, List<Integer> subAgents, List<Integer> handoffs, int maxIterations, int history,
                boolean addDate) {}

    @Provide
    Arbitrary<List<Spec>> teams() {
        return Arbitraries.integers().between(1, 6).flatMap(n -> {
            List<Arbitrary<Spec>> specs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                List<Integer> later = new ArrayList<>();
                for (int j = i + 1; j < n; j++) {
                    later.add(j);
                }
                Arbitrary<List<Integer>> refs = later.isEmpty() ? Arbitraries.just(List.of())
                        : Arbitraries.of(later).list().uniqueElements().ofMaxSize(later.size());
                specs.add(Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(12), refs, refs,
                        Arbitraries.integers().between(1, 40), Arbitraries.integers().between(0, 20),
                        Arbitraries.of(true, false)).as(Spec::new));
            }
            return Combinators.combine(specs).as(List::copyOf);
        });
    }

    @Property(tries = 200)
    void yamlAndJavaBuildTheSameGraph(@ForAll("teams") List<Spec> team) {
        Team loaded = Teams.parse(yaml(team, null), "gen.yaml", OPTIONS);

        Map<Integer, Agent> built = new HashMap<>();
        for (int i = team.size() - 1; i >= 0; i--) {
            Spec s = team.get(i);
            Agent.Builder b = TeamsTest.teamAgent("a" + i).model("openai/gpt-5").instruction(s.instruction())
                    .maxIterations(s.maxIterations()).numHistoryItems(s.history()).addDate(s.addDate());
            b.subAgents(s.subAgents().stream().map(built::get).toList());
            b.handoffs(s.handoffs().stream().map(built::get).toList());
            built.put(i, b.build());
        }
        assertThat(loaded.root()).isEqualTo(built.get(0));
        for (int i = 0; i < team.size(); i++) {
            assertThat(loaded.agents().get("a" + i)).isEqualTo(built.get(i));
        }
        assertThat(loaded.warnings()).isEmpty();
    }

    @Property(tries = 200)
    void aBackEdgeIsALocatedCycleError(@ForAll("teams") List<Spec> team) {
        if (team.size() < 2) {
            return;
        }
        // Chain a0 -> a1 -> ... -> last so a back edge from the last agent to a0 must close a cycle.
        List<Spec> chained = new ArrayList<>();
        for (int i = 0; i < team.size(); i++) {
            Spec s = team.get(i);
            List<Integer> subs = new ArrayList<>(s.subAgents());
            if (i + 1 < team.size() && !subs.contains(i + 1)) {
                subs.add(i + 1);
            }
            chained.add(new Spec(s.instruction(), subs, s.handoffs(), s.maxIterations(), s.history(), s.addDate()));
        }
        String yaml = yaml(chained, team.size() - 1);
        assertThatThrownBy(() -> Teams.parse(yaml, "gen.yaml", OPTIONS)).isInstanceOfSatisfying(TeamFileException.class, e -> {
            assertThat(e.problem()).startsWith("cycle in sub_agents/handoffs: ").contains("a0 -> ").endsWith(" -> a0");
            assertThat(e.field()).matches("agents\\.a\\d+\\.(sub_agents|handoffs)\\[\\d+]");
            String[] lines = yaml.split("\n", -1);
            assertThat(lines[e.line() - 1]).contains("- a");
        });
    }

    /** The team as a cagent file; {@code backFrom} (or null) also lists a0 among that agent's sub-agents. */
    private static String yaml(List<Spec> team, Integer backFrom) {
        StringBuilder sb = new StringBuilder("#!/usr/bin/env cagent run\nversion: \"2\"\nagents:\n");
        for (int i = 0; i < team.size(); i++) {
            Spec s = team.get(i);
            sb.append("  a").append(i).append(":\n");
            sb.append("    model: openai/gpt-5\n");
            sb.append("    instruction: \"").append(s.instruction()).append("\"\n");
            sb.append("    max_iterations: ").append(s.maxIterations()).append('\n');
            sb.append("    num_history_items: ").append(s.history()).append('\n');
            sb.append("    add_date: ").append(s.addDate()).append('\n');
            List<String> subs = new ArrayList<>(s.subAgents().stream().map(j -> "a" + j).toList());
            if (backFrom != null && backFrom == i) {
                subs.add("a0");
            }
            list(sb, "sub_agents", subs);
            list(sb, "handoffs", s.handoffs().stream().map(j -> "a" + j).toList());
        }
        return sb.toString();
    }

    private static void list(StringBuilder sb, String key, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        sb.append("    ").append(key).append(":\n");
        names.forEach(n -> sb.append("      - ").append(n).append('\n'));
    }
}
