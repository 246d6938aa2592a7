package dev.keel.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class CpioWriterTest {

    /** A minimal independent newc reader: name, mode and data of each entry, checking alignment. */
    record Entry(String name, int mode, byte[] data) {}

    static List<Entry> read(byte[] archive) {
        List<Entry> entries = new ArrayList<>();
        int pos = 0;
        while (true) {
            assertThat(pos % 4).isZero();
            String header = new String(archive, pos, 110, StandardCharsets.US_ASCII);
            assertThat(header).startsWith("070701");
            int mode = Integer.parseInt(header.substring(14, 22), 16);
            int size = Integer.parseInt(header.substring(54, 62), 16);
            int nameSize = Integer.parseInt(header.substring(94, 102), 16);
            String name = new String(archive, pos + 110, nameSize - 1, StandardCharsets.UTF_8);
            assertThat(archive[pos + 110 + nameSize - 1]).isZero();
            pos += 110 + nameSize;
            pos = (pos + 3) & ~3;
            if (name.equals("TRAILER!!!")) {
                assertThat(pos).isEqualTo(archive.length);
                return entries;
            }
            entries.add(new Entry(name, mode, Arrays.copyOfRange(archive, pos, pos + size)));
            pos += size;
            pos = (pos + 3) & ~3;
        }
    }

    @Property(tries = 200)
    void filesRoundTrip(@ForAll @Size(max = 8) Map<@AlphaChars @StringLength(min = 1, max = 20) String, byte[]> files)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CpioWriter cpio = new CpioWriter(out)) {
            cpio.directory("d", 0755);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                cpio.file("d/" + f.getKey(), 0640, f.getValue());
            }
        }
        List<Entry> entries = read(out.toByteArray());
        assertThat(entries).hasSize(files.size() + 1);
        assertThat(entries.get(0).name()).isEqualTo("d");
        assertThat(entries.get(0).mode()).isEqualTo(0040755);
        Map<String, byte[]> back = new LinkedHashMap<>();
        for (Entry e : entries.subList(1, entries.size())) {
            assertThat(e.mode()).isEqualTo(0100640);
            back.put(e.name().substring(2), e.data());
        }
        assertThat(back.keySet()).isEqualTo(files.keySet());
        files.forEach((k, v) -> assertThat(back.get(k)).containsExactly(v));
    }

    @Property(tries = 50)
    void sameInputGivesSameBytes(@ForAll byte[] data) throws Exception {
        assertThat(archive(data)).containsExactly(archive(data));
    }

    private static byte[] archive(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CpioWriter cpio = new CpioWriter(out)) {
            cpio.file("f", 0644, data).symlink("l", "/f");
        }
        return out.toByteArray();
    }

    @Test
    void symlinkStoresItsTarget() throws Exception {
        List<Entry> e = read(archive(new byte[] {1}));
        assertThat(e.get(1).mode()).isEqualTo(0120777);
        assertThat(new String(e.get(1).data(), StandardCharsets.UTF_8)).isEqualTo("/f");
    }

    @Test
    void rejectsBadNames() {
        CpioWriter cpio = new CpioWriter(new ByteArrayOutputStream());
        assertThatThrownBy(() -> cpio.file("/abs", 0644, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cpio.file("TRAILER!!!", 0644, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> {
            cpio.file("a", 0644, new byte[0]);
            cpio.file("a", 0644, new byte[0]);
        }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");
    }
}
