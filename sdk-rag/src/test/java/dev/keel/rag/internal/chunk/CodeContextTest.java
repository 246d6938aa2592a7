package dev.keel.rag.internal.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The declarations that enclose a position, read from real-looking files of each kind, and what must never fail. */
class CodeContextTest {
    private static final String JAVA = """
            package com.acme.billing;

            import java.util.List;

            /** Bills. Braces in comments do not count: { */
            public final class Invoice {
                private static final String OPEN = "{ not a block";
                private final char brace = '{';

                @Override
                public String toString() {
                    return "Invoice";
                }

                public Money total(List<Line> lines) {
                    Money sum = Money.ZERO;
                    for (Line l : lines) {
                        if (l.amount() != null) {
                            sum = sum.plus(l.amount()); // MARK
                        }
                    }
                    return sum;
                }

                static final class Line {
                    Money amount() { return null; } // LINE
                }
            }
            """;

    private static String at(String path, String text, String mark) {
        return CodeContext.of(path, text, text.indexOf(mark));
    }

    @Test
    void javaNamesThePackageClassAndMethodButNotTheLoopsAroundThePosition() {
        assertThat(at("src/Invoice.java", JAVA, "sum = sum.plus"))
                .isEqualTo("package com.acme.billing > public final class Invoice > public Money total(List<Line> lines)");
        assertThat(at("src/Invoice.java", JAVA, "return \"Invoice\""))
                .isEqualTo("package com.acme.billing > public final class Invoice > public String toString()");
        assertThat(at("src/Invoice.java", JAVA, "// LINE"))
                .isEqualTo("package com.acme.billing > public final class Invoice > static final class Line");
        assertThat(at("src/Invoice.java", JAVA, "return null"))
                .isEqualTo("package com.acme.billing > public final class Invoice > static final class Line > "
                        + "Money amount()");
        assertThat(at("src/Invoice.java", JAVA, "import java")).isEqualTo("package com.acme.billing");
        assertThat(at("src/Invoice.java", JAVA, "private final char"))
                .isEqualTo("package com.acme.billing > public final class Invoice");
    }

    @Test
    void typeScriptAndGoAndRustReadTheSameWay() {
        String ts = """
                export class Cart {
                  add(item: Item): void {
                    const label = `{${item.name}`;
                    this.items.push(item); // MARK
                  }
                }
                """;
        assertThat(at("web/cart.ts", ts, "this.items")).isEqualTo("export class Cart > add(item: Item): void");
        String go = """
                package store

                func (s *Store) Put(key string, v []byte) error {
                	if len(v) == 0 {
                		return errEmpty // MARK
                	}
                	return nil
                }
                """;
        assertThat(at("store.go", go, "return errEmpty"))
                .isEqualTo("package store > func (s *Store) Put(key string, v []byte) error");
        String rust = """
                impl<'a> Parser<'a> {
                    fn next(&mut self) -> Option<Token<'a>> {
                        let c = '{';
                        self.pos += 1; // MARK
                    }
                }
                """;
        assertThat(at("src/parser.rs", rust, "self.pos"))
                .isEqualTo("impl<'a> Parser<'a> > fn next(&mut self) -> Option<Token<'a>>");
    }

    @Test
    void pythonUsesIndentationAndMarkdownItsHeadings() {
        String py = """
                class Store:
                    \"\"\"Keeps things.\"\"\"

                    def put(self, key, value):
                        if not value:
                            raise ValueError("empty")
                        self.items[key] = value  # MARK

                    def get(self, key):
                        return self.items[key]  # GET

                def helper():
                    pass  # HELPER
                """;
        assertThat(at("store.py", py, "self.items[key] = value")).isEqualTo("class Store > def put(self, key, value)");
        assertThat(at("store.py", py, "return self.items")).isEqualTo("class Store > def get(self, key)");
        assertThat(at("store.py", py, "pass  # HELPER")).isEqualTo("def helper()");
        int getLine = py.indexOf("    def get");
        assertThat(CodeContext.of("store.py", py, getLine)).isEqualTo("class Store");

        String md = """
                # Guide
                ## Install
                ```sh
                # not a heading
                ```
                Run the installer. MARK
                ## Use
                Call it. USE
                """;
        assertThat(at("docs/guide.md", md, "Run the installer")).isEqualTo("# Guide > ## Install");
        assertThat(at("docs/guide.md", md, "Call it")).isEqualTo("# Guide > ## Use");
    }

    @Test
    void otherFilesAndTheStartOfAFileHaveNoContext() {
        assertThat(CodeContext.of("notes.txt", "class A { void b() { x } }", 20)).isEmpty();
        assertThat(CodeContext.of("config.yaml", "a:\n  b: 1\n", 5)).isEmpty();
        assertThat(CodeContext.of("Main.java", JAVA, 0)).isEmpty();
    }

    @Test
    void unbalancedAndUnterminatedTextDegradesInsteadOfFailing() {
        String broken = "class A {\n  void b() {\n    String s = \"unterminated\n  }\n}\n}\n}\n/* open comment { \nint x;";
        assertThat(CodeContext.of("A.java", broken, broken.length())).isEmpty();
        assertThat(CodeContext.of("A.java", broken, broken.indexOf("String s"))).isEqualTo("class A > void b()");
        assertThat(CodeContext.of("A.java", "", 10)).isEmpty();
        assertThat(CodeContext.of("A.java", "class A {", -3)).isEmpty();
    }

    /** A nested block: a declaration header (kept) or a control statement (left out), and what it holds. */
    record Block(String header, boolean declaration, List<Block> children) {}

    @Provide
    Arbitrary<Block> programs() {
        return block(4);
    }

    private Arbitrary<Block> block(int depth) {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(6);
        Arbitrary<String> declarations = names.map(n -> "void " + n + "(int " + n + ")");
        Arbitrary<String> controls = Arbitraries.of("if (x > 0)", "for (int i = 0; i < n; i++)", "while (true)",
                "try", "else");
        Arbitrary<Boolean> isDeclaration = Arbitraries.of(true, false);
        Arbitrary<List<Block>> children = depth == 0 ? Arbitraries.just(List.of())
                : Arbitraries.lazy(() -> block(depth - 1)).list().ofMaxSize(3);
        return Combinators.combine(isDeclaration, declarations, controls, children)
                .as((d, decl, control, kids) -> new Block(d ? decl : control, d, kids));
    }

    /** Writes the program, marking each leaf with a comment, and records the expected context of each mark. */
    private static void write(Block b, List<String> enclosing, StringBuilder out, List<int[]> marks,
                              List<String> expected) {
        out.append(b.header()).append(" {\n");
        List<String> inside = new ArrayList<>(enclosing);
        if (b.declaration()) {
            inside.add(b.header());
        }
        marks.add(new int[] {out.length()});
        expected.add(String.join(" > ", inside));
        out.append("  String s = \"} {\"; // } {\n");
        for (Block child : b.children()) {
            write(child, inside, out, marks, expected);
        }
        out.append("}\n");
    }

    @Property(tries = 200)
    void everyPositionOfANestedProgramHasExactlyItsEnclosingDeclarations(@ForAll("programs") Block program) {
        StringBuilder text = new StringBuilder("class Outer {\n");
        List<int[]> marks = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        write(program, List.of("class Outer"), text, marks, expected);
        text.append("}\n");
        for (int i = 0; i < marks.size(); i++) {
            assertThat(CodeContext.of("P.java", text.toString(), marks.get(i)[0])).isEqualTo(expected.get(i));
        }
    }

    @Property(tries = 300)
    void anyTextAndAnyOffsetGiveAnAnswerWithoutFailing(@ForAll String text, @ForAll @IntRange(min = -5, max = 400) int at,
                                                       @ForAll("paths") String path) {
        String context = CodeContext.of(path, text, at);
        assertThat(context).doesNotContain("\n");
    }

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.of("a.java", "b.py", "c.md", "d.go", "e.txt", "f.rs", "noext");
    }
}
