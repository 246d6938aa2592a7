package dev.keel.agents.team;

import dev.keel.agents.internal.YamlPatch;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * docker-agent's {@code flavors}: the requested ones, in the order requested, patched onto the raw document
 * ({@link YamlPatch}) before anything else reads it, so a flavor can change anything, {@code version} included,
 * and what it sets is checked like the rest of the file (errors point at the flavor's lines). The section is read
 * once, before the first patch, so a flavor cannot redefine the ones applied after it. A name the file does not
 * define is skipped (debug log), so one set of names can be enabled across many files; a flavor left empty
 * is a no-op.
 */
final class Flavors {
    private static final Logger LOG = LoggerFactory.getLogger(Flavors.class);

    private Flavors() {}

    /**
     * The document with the flavors applied, and the names applied.
     *
     * @param document the patched document
     * @param applied  the requested names the file defines, in the order applied
     */
    record Applied(MapNode document, List<String> applied) {}

    static Applied apply(TeamFields f, MapNode top, List<String> requested) {
        if (requested.isEmpty()) {
            return new Applied(top, List.of());
        }
        Entry section = top.entries().get("flavors");
        MapNode flavors = section == null ? new MapNode(java.util.Map.of(), top.line()) : f.map(section.value(), "flavors");
        MapNode doc = top;
        List<String> applied = new ArrayList<>();
        for (String name : requested) {
            Entry flavor = flavors.entries().get(name);
            if (flavor == null) {
                LOG.debug("{}: flavor '{}' is not defined in the file; ignored", f.file(), name);
                continue;
            }
            applied.add(name);
            Node patch = flavor.value();
            String field = "flavors." + name;
            if (patch instanceof Scalar s && s.value() == null) {
                continue;
            }
            if (!(patch instanceof MapNode)) {
                throw f.error(patch.line(), field, "a flavor is a mapping to patch onto the file (or empty), not a "
                        + (patch instanceof Scalar ? "single value" : "list"));
            }
            try {
                doc = (MapNode) YamlPatch.apply(doc, patch, field);
            } catch (YamlPatch.PatchException e) {
                throw f.error(e.line(), e.field(), e.getMessage());
            }
        }
        return new Applied(doc, List.copyOf(applied));
    }
}
