package dev.keel.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.mcp.McpCatalog;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Invariants of the {@code mcp_catalog} search and the allow/block lists, over random catalogs, lists and queries:
 * a blocked server is never shown nor enabled (block wins over allow), an allow list shows nothing outside it, every
 * hit matches the query, hits come best first, and an empty query shows exactly the offered servers.
 */
class McpCatalogPropertyTest {
    private static final ToolContext CONTEXT = new ToolContext("root", "s", new ConcurrentHashMap<>());

    @Provide
    Arbitrary<List<String>> ids() {
        return Arbitraries.strings().withChars("abcd-").ofMinLength(1).ofMaxLength(4).list().ofMaxSize(8)
                .uniqueElements();
    }

    @Provide
    Arbitrary<String> queries() {
        return Arbitraries.strings().withChars("abcdDOCS- ").ofMaxLength(3);
    }

    private static McpCatalog catalog(List<String> ids) {
        McpCatalog.Builder b = McpCatalog.builder();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            b.server(McpCatalog.Server.builder(id, "https://" + i + ".example.com/mcp").title("T " + id.toUpperCase(Locale.ROOT))
                    .description(i % 2 == 0 ? "docs for " + id : "").tags(i % 3 == 0 ? List.of("c" + id) : List.of())
                    .build());
        }
        return b.build();
    }

    private static ToolResult call(McpCatalogToolset set, String name, Map<String, ?> args) throws Exception {
        Tool tool = set.tools().stream().filter(t -> t.spec().name().equals(name)).findFirst().orElseThrow();
        return tool.call(ToolArguments.of(JsonObject.of(args)), CONTEXT);
    }

    private static List<String> hits(ToolResult r) {
        if (r.error()) {
            return List.of();
        }
        String json = r.content().substring(r.content().indexOf('\n') + 1);
        List<String> out = new ArrayList<>();
        for (JsonValue v : ((JsonArray) JsonValue.parse(json)).items()) {
            out.add(((JsonObject) v).get("id").orElseThrow().asString().orElseThrow());
        }
        return out;
    }

    @Property(tries = 200)
    void blockWinsAllowNarrowsAndEveryHitMatchesBestFirst(@ForAll("ids") List<String> ids,
                                                         @ForAll("ids") List<String> allowed,
                                                         @ForAll("ids") List<String> blocked,
                                                         @ForAll("queries") String query) throws Exception {
        McpCatalog catalog = catalog(ids);
        try (McpCatalogToolset set = McpCatalogToolset.of(catalog, allowed, blocked, false)) {
            Set<String> offered = new java.util.LinkedHashSet<>();
            for (String id : ids) {
                if ((allowed.isEmpty() || allowed.contains(id)) && !blocked.contains(id)) {
                    offered.add(id);
                }
            }
            List<String> all = hits(call(set, McpCatalogToolset.SEARCH, Map.of("query", "")));
            assertThat(all).containsExactlyInAnyOrderElementsOf(offered);
            List<String> found = hits(call(set, McpCatalogToolset.SEARCH, Map.of("query", query)));
            assertThat(offered).containsAll(found);
            String q = query.strip().toLowerCase(Locale.ROOT);
            int last = -1;
            for (String id : found) {
                int rank = q.isEmpty() ? 0 : McpCatalogToolset.rank(catalog.server(id).orElseThrow(), q);
                assertThat(rank).as("hit %s for '%s'", id, q).isGreaterThanOrEqualTo(0).isGreaterThanOrEqualTo(last);
                last = rank;
            }
            for (String id : offered) {
                if (!q.isEmpty() && McpCatalogToolset.rank(catalog.server(id).orElseThrow(), q) >= 0) {
                    assertThat(found).as("'%s' matches '%s'", id, q).contains(id);
                }
            }
            for (String id : ids) {
                if (!offered.contains(id)) {
                    ToolResult enable = call(set, McpCatalogToolset.ENABLE, Map.of("id", id));
                    assertThat(enable.error()).isTrue();
                    assertThat(enable.content()).contains("unknown server id");
                }
            }
            assertThat(set.tools()).extracting(t -> t.spec().name()).containsExactly(McpCatalogToolset.SEARCH,
                    McpCatalogToolset.LIST, McpCatalogToolset.ENABLE);
        }
    }
}
