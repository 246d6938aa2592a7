package dev.keel.rag.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.openai.OpenAiEmbeddings;
import dev.keel.testing.model.ScriptedModelServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) a forked JVM that is indexing — at random moments, and the moment it starts writing a new
 * generation directory — several times, and checks after each
 * kill that the index opens, is one whole generation (every passage of one version, the last one the
 * indexer reported or the one it was finishing), is searchable, and that the next sync cleans up.
 */
class KilledIndexerTest {
    private static final Pattern SYNCED = Pattern.compile("synced (\\d+) (\\d+)");
    private static final Pattern VERSION = Pattern.compile("release version v(\\d+) ");

    @TempDir
    Path tmp;

    @Test
    void aKilledIndexerLeavesTheLastGoodGenerationSearchable() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        Path index = tmp.resolve("index");
        Random random = new Random(12);
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.embeddings(WordVectors::of);
            int version = 0;
            for (int round = 0; round < 4; round++) {
                Path log = tmp.resolve("indexer-" + round + ".log");
                Process indexer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), IndexerProcess.class.getName(),
                        index.toString(), docs.toString(), server.baseUrl(), Integer.toString(version))
                        .redirectError(log.toFile()).start();
                int lastVersion = version;
                long lastGeneration = -1;
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread reader = new Thread(() -> {
                    try (BufferedReader out = new BufferedReader(new InputStreamReader(indexer.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        for (String line; (line = out.readLine()) != null; ) {
                            lines.add(line);
                        }
                    } catch (java.io.IOException e) {
                        // the stream closes when the process is killed
                    }
                });
                reader.start();
                int syncs = 1 + random.nextInt(2);
                for (int i = 0; i < syncs; i++) {
                    String line = lines.poll(120, TimeUnit.SECONDS);
                    assertThat(line).as("indexer output (log: %s)", Files.exists(log) ? Files.readString(log) : "")
                            .isNotNull();
                    Matcher m = SYNCED.matcher(line);
                    assertThat(m.matches()).as(line).isTrue();
                    lastGeneration = Long.parseLong(m.group(1));
                    lastVersion = Integer.parseInt(m.group(2));
                }
                if (round % 2 == 0) {
                    // somewhere in the next sync: reading, embedding or writing the generation
                    Thread.sleep(random.nextInt(400));
                } else {
                    // while the next generation's files are being written, before it goes live
                    Path next = index.resolve(String.format("gen-%016d", lastGeneration + 1));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (!Files.exists(next) && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                }
                indexer.destroyForcibly();
                assertThat(indexer.waitFor(30, TimeUnit.SECONDS)).isTrue();
                reader.join(10_000);
                for (String line : lines) { // a sync that finished just before the kill
                    Matcher m = SYNCED.matcher(line);
                    if (m.matches()) {
                        lastGeneration = Long.parseLong(m.group(1));
                        lastVersion = Integer.parseInt(m.group(2));
                    }
                }
                assertThat(indexer.exitValue()).isNotZero();
                version = checkWholeGeneration(index, docs, server, lastGeneration, lastVersion);
            }
        }
    }

    /** Opens the index as the killed process left it and returns the version it holds. */
    private static int checkWholeGeneration(Path index, Path docs, ScriptedModelServer server, long lastGeneration,
                                            int lastVersion) throws Exception {
        try (var listing = Files.list(index)) {
            // a generation directory newer than CURRENT is one the kill interrupted
            System.out.println("after the kill: " + listing.map(p -> p.getFileName().toString()).sorted().toList()
                    + ", CURRENT " + Files.readString(index.resolve("CURRENT")).strip());
        }
        try (OpenAiEmbeddings words = IndexerProcess.words(server.baseUrl());
             KnowledgeBase kb = IndexerProcess.config(index, docs, words).build()) {
            assertThat(kb.generation()).isBetween(lastGeneration, lastGeneration + 1);
            List<KnowledgeHit> hits = kb.search("release version filler");
            assertThat(hits).hasSize(IndexerProcess.FILES * 3);
            Set<Integer> versions = hits.stream().map(h -> {
                Matcher m = VERSION.matcher(h.text());
                assertThat(m.find()).as(h.text()).isTrue();
                return Integer.parseInt(m.group(1));
            }).collect(Collectors.toSet());
            assertThat(versions).as("one whole generation").hasSize(1);
            int version = versions.iterator().next();
            assertThat(version).isBetween(lastVersion, lastVersion + 1);
            assertThat(hits).allSatisfy(h -> assertThat(h.strategyScores()).containsKeys("bm25", "chunked-embeddings"));
            // the killed process may have left the files half rewritten; the next sync indexes what is there
            int next = version + 2;
            IndexerProcess.writeVersion(docs, next);
            SyncResult result = kb.sync();
            assertThat(kb.search("release version filler")).hasSize(IndexerProcess.FILES * 3)
                    .allSatisfy(h -> assertThat(h.text()).contains("release version v" + next + " "));
            try (var gens = Files.list(index)) {
                assertThat(gens.filter(p -> p.getFileName().toString().startsWith("gen-")).count())
                        .isLessThanOrEqualTo(2);
            }
            assertThat(result.generation()).isGreaterThanOrEqualTo(kb.generation());
            return next;
        }
    }
}
