package dev.keel.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;

class RelationshipTextTest {

    @Test
    void parsesCommentsBlankLinesSubjectSetsAndWildcards() {
        List<Relationship> rels = RelationshipText.parse("""
                // a comment

                # another comment
                document:doc1#owner@user:emilia
                folder:eng#viewer@group:eng#member   // trailing comment
                  document:doc3#viewer@user:*
                """);
        assertThat(rels).extracting(Relationship::toString).containsExactly(
                "document:doc1#owner@user:emilia",
                "folder:eng#viewer@group:eng#member",
                "document:doc3#viewer@user:*");
        assertThat(rels.get(1).subject().relation()).isEqualTo("member");
        assertThat(rels.get(2).subject().object().id()).isEqualTo("*");
    }

    @Test
    void errorsNameTheLine() {
        assertThatThrownBy(() -> RelationshipText.parse("""
                document:doc1#owner@user:emilia

                document:doc2 owner user:beatrice
                """))
                .isInstanceOf(RelationshipSyntaxException.class)
                .hasMessageStartingWith("line 3:")
                .hasMessageContaining("document:doc2 owner user:beatrice")
                .satisfies(e -> assertThat(((RelationshipSyntaxException) e).line()).isEqualTo(3));
        assertThatThrownBy(() -> RelationshipText.parse("document:doc1#owner@user:emilia\nDocument:x#owner@user:a"))
                .isInstanceOf(RelationshipSyntaxException.class)
                .hasMessageStartingWith("line 2:")
                .hasMessageContaining("invalid object type 'Document'");
        assertThatThrownBy(() -> Relationship.parse("document:#owner@user:a"))
                .isInstanceOf(RelationshipSyntaxException.class);
    }

    @Test
    void aDanglingHashIsAnErrorNotAPlainSubject() {
        // "group:all#" must not silently become group:all (every member of nothing vs the group object)
        assertThatThrownBy(() -> RelationshipText.parse("document:doc1#viewer@user:emilia\ndocument:doc1#viewer@group:all#"))
                .isInstanceOf(RelationshipSyntaxException.class)
                .hasMessageStartingWith("line 2:")
                .hasMessageContaining("'group:all#' has '#' but no relation after it");
        assertThatThrownBy(() -> RelationshipText.parse("document:doc1#viewer@group:all#   // trailing comment"))
                .isInstanceOf(RelationshipSyntaxException.class).hasMessageContaining("no relation after it");
        assertThatThrownBy(() -> SubjectRef.parse("group:all#")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no relation after it");
        assertThatThrownBy(() -> Relationship.parse("document:doc1#viewer@group:all#"))
                .isInstanceOf(RelationshipSyntaxException.class);
        assertThat(SubjectRef.parse("group:all#member")).isEqualTo(SubjectRef.of("group", "all", "member"));
        assertThat(SubjectRef.parse("group:all")).isEqualTo(SubjectRef.of("group", "all"));
    }

    @Test
    void parsesCaveatsWithAndWithoutContext() {
        List<Relationship> rels = RelationshipText.parse("""
                document:doc2#viewer@user:beatrice[on_shift]
                document:doc2#viewer@user:bea[on_shift:{"shift":"day","level":2}]
                """);
        assertThat(rels.get(0).caveat()).isEqualTo(Caveat.of("on_shift"));
        assertThat(rels.get(1).caveat().context()).containsEntry("shift", "day").containsEntry("level", 2);
        assertThat(Relationship.parse(rels.get(1).toString())).isEqualTo(rels.get(1));
        assertThatThrownBy(() -> RelationshipText.parse("document:d#viewer@user:a\ndocument:d#viewer@user:b[on_shift:{oops}]"))
                .isInstanceOf(RelationshipSyntaxException.class)
                .hasMessageStartingWith("line 2:").hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> RelationshipText.parse("document:d#viewer@user:b[on_shift"))
                .isInstanceOf(RelationshipSyntaxException.class).hasMessageContaining("caveat");
    }

    @Test
    void valuesValidateTheirParts() {
        assertThatThrownBy(() -> ObjectRef.of("document", "has space")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid object id");
        assertThatThrownBy(() -> SubjectRef.of("user", "a", "Bad")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RelationshipFilter.resourceType("document").subjectType("").subject(SubjectRef.of("user", "a")).subjectType(""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 200)
    void formatAndParseRoundTrip(@ForAll("relationships") Relationship r) {
        assertThat(Relationship.parse(r.toString())).isEqualTo(r);
        assertThat(RelationshipText.parse("// x\n" + r + "\n\n" + r + " // again")).containsExactly(r, r);
    }

    @Provide
    Arbitrary<Relationship> relationships() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(3).ofMaxLength(12);
        Arbitrary<String> ids = Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('_', '-', '=', '+', '|', '/')
                .ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> subjectRelation = Arbitraries.oneOf(Arbitraries.just(""), names);
        return Combinators.combine(names, ids, names, names, ids, subjectRelation)
                .as((t, id, rel, st, sid, srel) -> new Relationship(ObjectRef.of(t, id), rel,
                        new SubjectRef(ObjectRef.of(st, sid), srel)));
    }
}
