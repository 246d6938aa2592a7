package dev.keel.testing.internal.cassette;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.Okio;
import okio.Source;
import okio.Timeout;

/** Converts between OkHttp messages and recorded ones. Stateless. */
public final class HttpCodec {
    private HttpCodec() {}

    public static List<Header> headers(Headers headers) {
        List<Header> out = new ArrayList<>(headers.size());
        for (int i = 0; i < headers.size(); i++) {
            out.add(new Header(headers.name(i), headers.value(i)));
        }
        return out;
    }

    /** The request body's bytes (empty when it has none). */
    public static byte[] bodyBytes(Request request) throws IOException {
        if (request.body() == null) {
            return new byte[0];
        }
        Buffer buffer = new Buffer();
        request.body().writeTo(buffer);
        return buffer.readByteArray();
    }

    /** A recorded request; a gzip-encoded body is stored decoded. */
    public static StoredRequest request(Request request, byte[] body) {
        List<Header> headers = headers(request.headers());
        if (request.body() != null && request.body().contentType() != null
                && Header.first(headers, "Content-Type").isEmpty()) {
            headers.add(new Header("Content-Type", request.body().contentType().toString()));
        }
        byte[] decoded = Header.startsWith(headers, "Content-Encoding", "gzip") ? gunzip(body) : null;
        byte[] bytes = decoded != null ? decoded : body;
        return new StoredRequest(request.method(), request.url().toString(), headers,
                classify(bytes, Header.first(headers, "Content-Type").orElse("")));
    }

    /** A recorded response; a gzip-encoded body is stored decoded and marked for re-encoding. */
    public static StoredResponse response(Response response, byte[] body) {
        List<Header> headers = headers(response.headers());
        byte[] decoded = Header.startsWith(headers, "Content-Encoding", "gzip") ? gunzip(body) : null;
        boolean gzip = decoded != null;
        byte[] bytes = gzip ? decoded : body;
        return new StoredResponse(response.code(), response.message(), headers,
                classify(bytes, Header.first(headers, "Content-Type").orElse("")), gzip);
    }

    /** Text when the bytes are UTF-8 text, events when they are an event stream, else binary. */
    static StoredBody classify(byte[] bytes, String contentType) {
        if (bytes.length == 0) {
            return new StoredBody.Empty();
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        String text = utf8(bytes);
        if (text == null || binaryType(type)) {
            return new StoredBody.Binary(bytes);
        }
        if (type.startsWith("text/event-stream")) {
            List<SseEvent> events = SseEvent.parseExact(text);
            if (events != null) {
                return new StoredBody.Events(events);
            }
        }
        return new StoredBody.Text(text);
    }

    private static boolean binaryType(String type) {
        return type.startsWith("image/") || type.startsWith("audio/") || type.startsWith("video/")
                || type.startsWith("application/octet-stream") || type.startsWith("application/pdf")
                || type.startsWith("application/zip") || type.startsWith("application/gzip")
                || type.startsWith("application/x-protobuf") || type.startsWith("application/grpc");
    }

    /** Strict UTF-8 decoding without control characters other than tab, CR and LF; else {@code null}. */
    private static String utf8(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f || c == '\uFEFF'
                    || (c >= 0x80 && c < 0xa0)) {
                return null;
            }
        }
        return text;
    }

    /** A replayed response to {@code request}. Event streams are delivered one event per read. */
    public static Response replay(Request request, StoredResponse stored) {
        Headers.Builder headers = new Headers.Builder();
        for (Header h : stored.headers()) {
            if (!h.name().equalsIgnoreCase("Content-Length")) {
                headers.addUnsafeNonAscii(h.name(), h.value());
            }
        }
        String contentType = Header.first(stored.headers(), "Content-Type").orElse(null);
        MediaType mediaType = contentType == null ? null : MediaType.parse(contentType);
        ResponseBody body;
        if (stored.body() instanceof StoredBody.Events ev && !stored.gzip()) {
            List<byte[]> chunks = new ArrayList<>();
            long length = 0;
            for (SseEvent e : ev.events()) {
                byte[] b = e.wireText().getBytes(StandardCharsets.UTF_8);
                chunks.add(b);
                length += b.length;
            }
            headers.set("Content-Length", String.valueOf(length));
            body = ResponseBody.create(Okio.buffer(new ChunkSource(chunks)), mediaType, length);
        } else {
            byte[] bytes = stored.gzip() ? gzip(stored.body().bytes()) : stored.body().bytes();
            headers.set("Content-Length", String.valueOf(bytes.length));
            body = ResponseBody.create(bytes, mediaType);
        }
        long now = System.currentTimeMillis();
        return new Response.Builder().request(request).protocol(Protocol.HTTP_1_1).code(stored.status())
                .message(stored.message()).headers(headers.build()).body(body).sentRequestAtMillis(now)
                .receivedResponseAtMillis(now).build();
    }

    /** A source that hands out one chunk per read, like a server flushing event by event. */
    private static final class ChunkSource implements Source {
        private final List<byte[]> chunks;
        private int next;
        private Buffer current = new Buffer();

        ChunkSource(List<byte[]> chunks) {
            this.chunks = chunks;
        }

        @Override
        public long read(Buffer sink, long byteCount) {
            if (current.size() == 0) {
                if (next == chunks.size()) {
                    return -1;
                }
                current.write(chunks.get(next++));
            }
            return current.read(sink, Math.min(byteCount, current.size()));
        }

        @Override
        public Timeout timeout() {
            return Timeout.NONE;
        }

        @Override
        public void close() {
            current = new Buffer();
            next = chunks.size();
        }
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] bytes) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        } catch (IOException e) {
            // Labelled gzip but is not: the caller keeps the bytes as they came.
            return null;
        }
    }
}
