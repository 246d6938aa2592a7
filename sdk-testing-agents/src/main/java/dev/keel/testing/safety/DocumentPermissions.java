package dev.keel.testing.safety;

import dev.keel.authz.BulkCheckResult;
import dev.keel.authz.Check;
import dev.keel.authz.Consistency;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionsClient;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.filter.DroppedHit;
import dev.keel.authz.filter.FilterResult;
import dev.keel.authz.filter.PostFilter;
import dev.keel.testing.internal.safety.TextOverlap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The safety assertion no model framework offers: <em>no request sent to a model on behalf of user U contains
 * text from a document U may not read</em>. Given who decides (the post-filter your retrieval uses, or the
 * permission system itself — SpiceDB through sdk-authz, for example the embedded one of {@code @EmbeddedSpiceDb})
 * and the indexed documents, it asks which documents the user may not read and looks for their text in the
 * user's model traffic:
 *
 * <pre>{@code
 * DocumentPermissions.of(spicedb, "read")
 *         .assertNoUnreadableText(ModelTraffic.of(llm.requests()), SubjectRef.of("user", "charlie"), documents);
 * DocumentPermissions.of(readableHits)   // the PostFilter<Hit> of the retrieval under test
 *         .assertNoUnreadableText(traffic, charlie, indexedHits);
 * }</pre>
 *
 * <p>A document counts as leaked when a run of {@linkplain #leakWords words} (eight by default) of its text appears
 * in a request, compared case-insensitively and ignoring punctuation and line breaks, so a tool that reformats
 * what it found is still caught. Fail closed, like the filter it checks: a document whose check errs or is
 * conditional counts as unreadable. Needs sdk-authz. Immutable and thread-safe when the client or filter is.
 *
 * @param <D> how the indexed documents are keyed: {@link ObjectRef} for the permission system, the filter's hit
 *            type for a post-filter
 */
public final class DocumentPermissions<D> {
    /** Decides, for each document in order, the name it is reported by when unreadable, or null when readable. */
    private interface Decider<D> {
        List<String> unreadableNames(SubjectRef user, List<D> documents);
    }

    private final Decider<D> decider;
    private final String description;
    private final int words;

    private DocumentPermissions(Decider<D> decider, String description, int words) {
        this.decider = decider;
        this.description = description;
        this.words = words;
    }

    /**
     * Assertions against {@code client}, checking {@code permission} (for example {@code read}) at full
     * consistency, so a relationship written just before is seen. Documents are keyed by resource.
     *
     * @param client     the permission system
     * @param permission the permission a user needs to see a document
     * @return the assertions
     */
    public static DocumentPermissions<ObjectRef> of(PermissionsClient client, String permission) {
        Objects.requireNonNull(client, "client");
        if (Objects.requireNonNull(permission, "permission").isBlank()) {
            throw new IllegalArgumentException("permission must not be blank");
        }
        Decider<ObjectRef> decider = (user, refs) -> {
            List<Check> checks = refs.stream().map(r -> Check.of(r, permission, user)).toList();
            List<BulkCheckResult> results = client.checkBulk(checks, Consistency.fullyConsistent());
            if (results.size() != checks.size()) {
                throw new IllegalStateException("the permission system answered " + results.size() + " of "
                        + checks.size() + " checks");
            }
            List<String> names = new ArrayList<>();
            for (int i = 0; i < refs.size(); i++) {
                names.add(results.get(i).allowed() ? null : refs.get(i).toString());
            }
            return names;
        };
        return new DocumentPermissions<>(decider, permission, TextOverlap.DEFAULT_WORDS);
    }

    /**
     * Assertions that let {@code filter} decide — the same post-filter, with its consistency, caveat context and
     * budget, that the retrieval under test uses: a document it drops for a user (denied, conditional, failed)
     * is one the user may not read. Documents are keyed by hit (for example one per indexed chunk) and reported
     * by the resource the filter maps them to.
     *
     * @param <H>    the filter's hit type
     * @param filter the post-filter
     * @return the assertions
     */
    public static <H> DocumentPermissions<H> of(PostFilter<H> filter) {
        Objects.requireNonNull(filter, "filter");
        Decider<H> decider = (user, hits) -> {
            FilterResult<H> result = filter.filter(hits, user);
            List<String> names = new ArrayList<>();
            hits.forEach(h -> names.add(null));
            for (DroppedHit dropped : result.dropped()) {
                names.set(dropped.rank(), dropped.resource() == null ? "hit #" + dropped.rank() + " (no resource)"
                        : dropped.resource().toString());
            }
            return names;
        };
        return new DocumentPermissions<>(decider, "read (as the post-filter decides)", TextOverlap.DEFAULT_WORDS);
    }

    /**
     * These assertions with another run of words that counts as a leak (default eight).
     *
     * @param words consecutive words of a document that count as its text (at least 3)
     * @return new assertions
     */
    public DocumentPermissions<D> leakWords(int words) {
        TextOverlap.of(Map.of(), words); // validates
        return new DocumentPermissions<>(decider, description, words);
    }

    /**
     * The documents {@code user} may not read, failing closed (an error or a conditional answer counts as "may
     * not").
     *
     * @param user      the user
     * @param documents the documents and their text
     * @return the names (resources, {@code type:id}) of the unreadable ones, in the given order, each once
     */
    public List<String> unreadable(SubjectRef user, Map<? extends D, String> documents) {
        return forbidden(user, documents).keySet().stream().map(DocumentPermissions::resourceOf).distinct().toList();
    }

    /**
     * Asserts that no request of {@code traffic} — the model requests made on behalf of {@code user} — carries
     * text of a document {@code user} may not read.
     *
     * @param traffic   the user's model requests
     * @param user      the user they were made for
     * @param documents every indexed document's text
     * @throws AssertionError naming the request, the document and the words found (the user's other documents
     *                        are not named)
     */
    public void assertNoUnreadableText(ModelTraffic traffic, SubjectRef user, Map<? extends D, String> documents) {
        Objects.requireNonNull(traffic, "traffic");
        List<String> leaks = traffic.leaks(forbidden(user, documents), words);
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " model request(s) on behalf of " + user + " carry text of documents "
                    + user + " may not " + description + ":\n  " + String.join("\n  ", leaks));
        }
    }

    /** The unreadable documents' texts by report name; several texts of one resource get distinct names. */
    private Map<String, String> forbidden(SubjectRef user, Map<? extends D, String> documents) {
        Objects.requireNonNull(user, "user");
        List<D> keys = new ArrayList<>(documents.keySet());
        Map<String, String> out = new LinkedHashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        List<String> names = decider.unreadableNames(user, keys);
        for (int i = 0; i < keys.size(); i++) {
            String name = names.get(i);
            if (name != null) {
                String unique = name;
                for (int n = 2; out.containsKey(unique); n++) {
                    unique = name + " (part " + n + ")";
                }
                out.put(unique, Objects.requireNonNull(documents.get(keys.get(i)), "document text"));
            }
        }
        return out;
    }

    private static String resourceOf(String name) {
        int part = name.indexOf(" (part ");
        return part < 0 ? name : name.substring(0, part);
    }

    @Override
    public String toString() {
        return "DocumentPermissions[" + description + ", leak=" + words + " words]";
    }
}
