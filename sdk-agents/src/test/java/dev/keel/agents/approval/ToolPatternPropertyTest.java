package dev.keel.agents.approval;

import dev.keel.core.json.JsonObject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class ToolPatternPropertyTest {

    @Property
    void globAgreesWithTheEquivalentRegex(@ForAll @Chars({'a', 'b', '*', '?'}) @StringLength(max = 8) String glob,
                                          @ForAll @Chars({'a', 'b', 'c'}) @StringLength(max = 10) String text) {
        String regex = glob.chars().mapToObj(c -> c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf((char) c)))
                .reduce("", String::concat);
        assertThat(ToolPattern.glob(glob, text)).isEqualTo(text.matches(regex));
    }

    @Property
    void aLiteralMatchesOnlyItself(@ForAll @AlphaChars @StringLength(min = 1, max = 10) String name,
                                   @ForAll @AlphaChars @StringLength(max = 10) String other) {
        assertThat(ToolPattern.glob(name, name)).isTrue();
        assertThat(ToolPattern.glob(name, other)).isEqualTo(name.equals(other));
    }

    @Test
    void argumentGlobs() {
        JsonObject rm = JsonObject.parse("{\"cmd\":\"rm -rf /tmp/x\",\"cwd\":\"/srv\"}");
        assertThat(ToolPattern.parse("shell:cmd=rm *").matches("shell", rm)).isTrue();
        assertThat(ToolPattern.parse("shell:cmd=ls *").matches("shell", rm)).isFalse();
        assertThat(ToolPattern.parse("sh*:cmd=rm *:cwd=/srv").matches("shell", rm)).isTrue();
        assertThat(ToolPattern.parse("shell:cmd=rm *:cwd=/home*").matches("shell", rm)).isFalse();
        assertThat(ToolPattern.parse("shell:missing=*").matches("shell", rm)).isFalse();
        assertThat(ToolPattern.parse("fetch:urls=*evil*").matches("fetch",
                JsonObject.parse("{\"urls\":[\"https://ok.example\",\"https://evil.example\"]}"))).isTrue();
        assertThat(ToolPattern.parse("shell:cmd=echo a:b").arguments()).containsEntry("cmd", "echo a:b");
        assertThatThrownBy(() -> ToolPattern.parse(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Permissions(java.util.List.of("=x"), null, null))
                .hasMessageContaining("must start with a tool name glob");
    }
}
