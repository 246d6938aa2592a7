package dev.keel.testing.spicedb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionsClient;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.filter.DropReason;
import dev.keel.authz.filter.FilterResult;
import dev.keel.authz.filter.HitSource;
import dev.keel.authz.filter.PostFilter;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The extension and PostFilter together, as a user's test would use them. */
@EmbeddedSpiceDb(schema = "schema.zed", relationships = "relationships.txt")
class PermissionAwareRetrievalTest {
    record Hit(String docId, String text) {
    }

    static final List<Hit> RANKED = List.of(
            new Hit("doc1", "roadmap: pricing engine in Q3"),
            new Hit("doc2", "playbook: pricing questions"),
            new Hit("doc3", "faq: free tier pricing"),
            new Hit("doc1", "roadmap: partner pricing"));

    @ParameterizedTest
    @CsvSource({"emilia, doc1 doc3 doc1", "beatrice, doc2 doc3", "charlie, doc3"})
    void eachUserGetsOnlyReadableContext(String user, String expectedDocs, PermissionsClient spicedb) {
        PostFilter<Hit> readable = PostFilter.of(spicedb, "read", h -> ObjectRef.of("document", h.docId()));
        FilterResult<Hit> top = readable.topK(HitSource.of(RANKED), 3, SubjectRef.of("user", user));
        assertThat(top.kept()).extracting(Hit::docId).containsExactly(expectedDocs.split(" "));
        assertThat(top.dropped()).allSatisfy(d -> assertThat(d.reason()).isEqualTo(DropReason.DENIED));
        assertThat(top.toString()).doesNotContain("roadmap").doesNotContain("playbook");
    }
}
