package dev.keel.benchmarks.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.StreamListener;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.internal.provider.ToolCallAssembler;
import dev.keel.core.internal.sse.SseEvent;
import dev.keel.core.internal.sse.SseParser;

import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.testing.cassette.CassetteMode;
import dev.keel.testing.cassette.CassetteRecorder;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

/**
 * The {@code core} suite: how fast Keel turns a streamed Chat Completions answer into events and
 * assembled tool calls, against a peer that does what most hand-written clients do (read lines with a
 * {@link BufferedReader}, keep those starting with {@code data:}, parse each with Jackson, concatenate
 * argument fragments per index). Both sides parse the same bytes, read in the same 8 KiB pieces, and
 * must produce the same result, or the suite fails.
 *
 * <p>Cases: {@code sse-parse} (event framing only), {@code tool-call-assembly} (framing + JSON +
 * assembly), and {@code openai-stream-loopback} (a whole {@code OpenAiCompatible.stream} call over HTTP
 * on loopback; no peer) and {@code cassette-replay} (latency of a streamed call replayed from a cassette
 * versus the same call served live over loopback). Prints {@code keel-bench core <case> <metric>=<value> ... speedup=<peer time / keel time>}
 * (higher is better for Keel).
 * Arguments: {@code [seconds per measurement]} (default 2).
 */
public final class CoreSuite {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int READ = 8192;

    private CoreSuite() {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        Workload w = Workload.create();
        // Same answers first: a benchmark of two different computations means nothing.
        check(keelEvents(w.bytes) == peerEvents(w.bytes), "event counts differ");
        check(keelToolCalls(w.bytes).equals(peerToolCalls(w.bytes)), "assembled tool calls differ");

        compare("sse-parse", w, seconds, CoreSuite::keelEvents, CoreSuite::peerEvents);
        compare("tool-call-assembly", w, seconds, b -> keelToolCalls(b).size(), b -> peerToolCalls(b).size());
        loopback(w, seconds);
        cassetteReplay(seconds);
    }

    private static void compare(String name, Workload w, double seconds, ToLongFunction<byte[]> keel,
                                ToLongFunction<byte[]> peer) {
        measure(w, seconds / 2, keel); // warm-up
        measure(w, seconds / 2, peer);
        double keelRate = 0;
        double peerRate = 0;
        for (int round = 0; round < 3; round++) { // alternate, keep the best of each
            keelRate = Math.max(keelRate, measure(w, seconds / 3, keel));
            peerRate = Math.max(peerRate, measure(w, seconds / 3, peer));
        }
        double mb = w.bytes.length / 1e6;
        System.out.printf(Locale.ROOT,
                "keel-bench core %s mb_per_s=%.1f events_per_s=%.0f peer_mb_per_s=%.1f peer_events_per_s=%.0f speedup=%.2f%n",
                name, keelRate * mb, keelRate * w.events, peerRate * mb, peerRate * w.events, keelRate / peerRate);
    }

    /** Streams per second. */
    private static double measure(Workload w, double seconds, ToLongFunction<byte[]> task) {
        long sink = 0;
        int runs = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            sink += task.applyAsLong(w.bytes);
            runs++;
            now = System.nanoTime();
        } while (now < end);
        if (sink == 42) {
            System.out.print(""); // keep the result alive
        }
        return runs / ((now - start) / 1e9);
    }

    // ---- Keel: incremental byte parser + Jackson + assembler ----

    static long keelEvents(byte[] bytes) {
        long[] count = {0};
        SseParser parser = new SseParser(e -> count[0] += e.data().length() > 0 ? 1 : 0);
        feed(bytes, parser);
        return count[0];
    }

    static List<ToolCall> keelToolCalls(byte[] bytes) {
        ToolCallAssembler assembler = new ToolCallAssembler();
        SseParser parser = new SseParser(e -> onChunk(e, assembler));
        feed(bytes, parser);
        return assembler.completeRemaining();
    }

    private static void onChunk(SseEvent e, ToolCallAssembler assembler) {
        if (e.data().equals("[DONE]")) {
            return;
        }
        try {
            JsonNode chunk = MAPPER.readTree(e.data());
            for (JsonNode call : chunk.path("choices").path(0).path("delta").path("tool_calls")) {
                JsonNode fn = call.path("function");
                assembler.add(call.path("index").asInt(), call.path("id").asText(null), fn.path("name").asText(null),
                        fn.path("arguments").asText(""));
            }
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void feed(byte[] bytes, SseParser parser) {
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            byte[] buffer = new byte[READ];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                parser.feed(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- Peer: BufferedReader.readLine + "data:" prefix + Jackson + map of StringBuilders ----

    static long peerEvents(byte[] bytes) {
        long count = 0;
        try (BufferedReader r = reader(bytes)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("data:") && !line.substring(5).trim().isEmpty()) {
                    count++;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return count;
    }

    static List<ToolCall> peerToolCalls(byte[] bytes) {
        Map<Integer, String[]> heads = new TreeMap<>();
        Map<Integer, StringBuilder> args = new TreeMap<>();
        try (BufferedReader r = reader(bytes)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).trim();
                if (data.isEmpty() || data.equals("[DONE]")) {
                    continue;
                }
                JsonNode chunk = MAPPER.readTree(data);
                for (JsonNode call : chunk.path("choices").path(0).path("delta").path("tool_calls")) {
                    int index = call.path("index").asInt();
                    JsonNode fn = call.path("function");
                    if (call.has("id")) {
                        heads.put(index, new String[] {call.get("id").asText(), fn.path("name").asText()});
                    }
                    args.computeIfAbsent(index, k -> new StringBuilder()).append(fn.path("arguments").asText(""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<ToolCall> out = new ArrayList<>();
        heads.forEach((i, h) -> out.add(new ToolCall(h[0], h[1], args.get(i).toString())));
        return out;
    }

    private static BufferedReader reader(byte[] bytes) {
        return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8), READ);
    }

    // ---- End to end over loopback HTTP (no peer) ----

    private static void loopback(Workload w, double seconds) throws IOException {
        try (MockWebServer server = new MockWebServer()) {
            server.start();
            try (OpenAiCompatible model = OpenAiCompatible.builder().baseUrl(server.url("/v1").toString()).model("bench")
                    .http(HttpConfig.builder().maxRetries(0).build()).build()) {
                ChatRequest request = ChatRequest.of(Message.user("go"));
                StreamListener quiet = new StreamListener() { };
                long deadline = System.nanoTime() + (long) (seconds * 1e9);
                int calls = 0;
                long start = System.nanoTime();
                while (System.nanoTime() < deadline || calls < 3) {
                    server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(w.text).build());
                    ChatResponse r = model.stream(request, quiet);
                    check(r.toolCalls().size() == w.toolCalls, "loopback lost tool calls");
                    calls++;
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "keel-bench core openai-stream-loopback answers_per_s=%.1f mb_per_s=%.1f "
                        + "events_per_s=%.0f%n", calls / elapsed, calls * w.bytes.length / 1e6 / elapsed,
                        calls * (double) w.events / elapsed);
            }
        }
    }

    // ---- Cassette replay vs the same calls over live loopback HTTP ----

    /**
     * Records {@code CALLS} streamed answers (a short reply plus one tool call, about 10 KB) from a live
     * loopback server into a cassette, then measures one call's latency when replayed from the cassette
     * (keel) and when served live over loopback (peer); speedup = live time / replay time.
     */
    private static void cassetteReplay(double seconds) throws IOException {
        final int calls = 40;
        Workload small = Workload.small();
        ChatRequest request = ChatRequest.of(Message.user("weather in Oslo?"));
        StreamListener quiet = new StreamListener() { };
        Path dir = Files.createTempDirectory("keel-bench-cassette");
        Path file = dir.resolve("core-replay.yaml");
        try (MockWebServer server = new MockWebServer()) {
            server.start();
            String url = server.url("/v1").toString();
            try (CassetteRecorder recorder = CassetteRecorder.open(file, CassetteMode.ALL);
                 OpenAiCompatible model = OpenAiCompatible.builder().baseUrl(url).model("bench")
                         .httpClient(recorder.client()).build()) {
                for (int i = 0; i < calls; i++) {
                    server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(small.text).build());
                    model.stream(request, quiet);
                }
            }
            double replayMs = Double.MAX_VALUE;
            double liveMs = Double.MAX_VALUE;
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            int rounds = 0;
            while (rounds < 3 || System.nanoTime() < deadline) {
                try (CassetteRecorder replay = CassetteRecorder.open(file, CassetteMode.NONE);
                     OpenAiCompatible model = OpenAiCompatible.builder().baseUrl(url).model("bench")
                             .httpClient(replay.client()).build()) {
                    long start = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        check(model.stream(request, quiet).toolCalls().size() == 1, "replay lost the tool call");
                    }
                    replayMs = Math.min(replayMs, (System.nanoTime() - start) / 1e6 / calls);
                    check(replay.replayedCount() == calls, "not every call was replayed");
                }
                try (OpenAiCompatible model = OpenAiCompatible.builder().baseUrl(url).model("bench")
                        .http(HttpConfig.builder().maxRetries(0).build()).build()) {
                    for (int i = 0; i < calls; i++) {
                        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(small.text).build());
                    }
                    long start = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        check(model.stream(request, quiet).toolCalls().size() == 1, "live call lost the tool call");
                    }
                    liveMs = Math.min(liveMs, (System.nanoTime() - start) / 1e6 / calls);
                }
                rounds++;
            }
            System.out.printf(Locale.ROOT, "keel-bench core cassette-replay ms_per_call=%.3f peer_ms_per_call=%.3f "
                    + "cassette_kb=%d speedup=%.2f%n", replayMs, liveMs, Files.size(file) / 1024, liveMs / replayMs);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("core suite: " + what);
        }
    }

    /** One streamed answer: text deltas, then parallel tool calls whose arguments arrive in small fragments. */
    private record Workload(String text, byte[] bytes, long events, int toolCalls) {
        /** A short streamed reply and one tool call, about 10 KB. */
        static Workload small() {
            StringBuilder b = new StringBuilder();
            long events = 0;
            for (int i = 0; i < 30; i++) {
                b.append("data: ").append(textChunk("word" + i + " ")).append("\n\n");
                events++;
            }
            String a = "{\"city\":\"Oslo\",\"unit\":\"celsius\",\"days\":3,\"detail\":\"hourly forecast please\"}";
            b.append("data: ").append(toolChunk(0, "call_Kx3bQ2mZ7pL9vR4tY8wN1aE5", "get_weather", "")).append("\n\n");
            events++;
            for (int k = 0; k < a.length(); k += 4) {
                b.append("data: ").append(toolChunk(0, null, null, a.substring(k, Math.min(a.length(), k + 4))))
                        .append("\n\n");
                events++;
            }
            b.append("data: ").append(finishChunk()).append("\n\n").append("data: [DONE]\n\n");
            events += 2;
            String text = b.toString();
            return new Workload(text, text.getBytes(StandardCharsets.UTF_8), events, 1);
        }

        static Workload create() {
            StringBuilder b = new StringBuilder();
            long events = 0;
            for (int i = 0; i < 2000; i++) {
                b.append("data: ").append(textChunk("token " + i + " ")).append("\n\n");
                events++;
                if (i % 100 == 0) {
                    b.append(": keep-alive\n\n");
                }
            }
            int calls = 8;
            for (int c = 0; c < calls; c++) {
                StringBuilder args = new StringBuilder("{\"query\":\"");
                for (int k = 0; k < 300; k++) {
                    args.append("w").append(k).append(' ');
                }
                args.append("\",\"limit\":10}");
                String a = args.toString();
                b.append("data: ").append(toolChunk(c, "call_" + c + "abcdefghijklmnopqrstuv", "search_" + c, "")).append("\n\n");
                events++;
                for (int k = 0; k < a.length(); k += 5) {
                    b.append("data: ").append(toolChunk(c, null, null, a.substring(k, Math.min(a.length(), k + 5))))
                            .append("\n\n");
                    events++;
                }
            }
            b.append("data: ").append(finishChunk()).append("\n\n").append("data: [DONE]\n\n");
            events += 2;
            String text = b.toString();
            return new Workload(text, text.getBytes(StandardCharsets.UTF_8), events, calls);
        }

        private static ObjectNode base() {
            return MAPPER.createObjectNode().put("id", "chatcmpl-bench").put("object", "chat.completion.chunk")
                    .put("created", 1741570283).put("model", "gpt-5");
        }

        private static String textChunk(String content) {
            ObjectNode n = base();
            n.putArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
                    .put("content", content);
            return n.toString();
        }

        private static String toolChunk(int index, String id, String name, String args) {
            ObjectNode n = base();
            ObjectNode call = n.putArray("choices").addObject().put("index", 0).putNull("finish_reason")
                    .putObject("delta").putArray("tool_calls").addObject().put("index", index);
            ObjectNode fn = call.putObject("function");
            if (id != null) {
                call.put("id", id).put("type", "function");
                fn.put("name", name);
            }
            fn.put("arguments", args);
            return n.toString();
        }

        private static String finishChunk() {
            ObjectNode n = base();
            n.putArray("choices").addObject().put("index", 0).put("finish_reason", "tool_calls").putObject("delta");
            n.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 900);
            return n.toString();
        }
    }
}
