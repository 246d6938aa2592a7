package dev.keel.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The protocol's constants are defined once, in protocol.h; the Java mirror must say exactly the same. */
class AgentProtocolDefinitionTest {
    static final Path HEADER = Path.of("src/main/c/agent/protocol.h");

    /** {@code T_NAME = value} inside the enum, and {@code #define NAME value} with an integer expression. */
    static Map<String, Long> constantsOfTheHeader() throws Exception {
        String h = Files.readString(HEADER);
        Map<String, Long> out = new TreeMap<>();
        String enumBody = h.substring(h.indexOf("enum frame_type {"), h.indexOf("};", h.indexOf("enum frame_type {")));
        Matcher m = Pattern.compile("\\b(T_[A-Z_]+)\\s*=\\s*(\\d+)").matcher(enumBody);
        while (m.find()) {
            out.put(m.group(1), Long.parseLong(m.group(2)));
        }
        Matcher d = Pattern.compile("(?m)^#define\\s+([A-Z_]+)\\s+\\(?([0-9a-fx]+)u?(?:\\s*<<\\s*(\\d+))?\\)?\\s*$").matcher(h);
        while (d.find()) {
            long v = Long.decode(d.group(2));
            out.put(d.group(1), d.group(3) == null ? v : v << Integer.parseInt(d.group(3)));
        }
        return out;
    }

    static Map<String, Long> constantsOfTheJavaMirror() throws Exception {
        Map<String, Long> out = new TreeMap<>();
        for (Field f : AgentProtocol.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                f.setAccessible(true);
                out.put(f.getName(), Integer.toUnsignedLong(f.getInt(null)));
            }
        }
        return out;
    }

    @Test
    void javaAndCDefineTheSameFrameTypesAndLimits() throws Exception {
        Map<String, Long> c = constantsOfTheHeader();
        // the parser itself is checked: it found the enum and the defines it must find
        assertThat(c).containsKeys("T_EXEC", "T_CONN_CLOSE", "MAX_FRAME", "FRAME_HEADER", "CONN_ID_BIT")
                .containsEntry("MAX_FRAME", 64L << 20).containsEntry("CONN_ID_BIT", 0x80000000L);
        assertThat(constantsOfTheJavaMirror()).isEqualTo(c);
    }
}
