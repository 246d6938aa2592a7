package dev.keel.agents.toolsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The openapi toolset over real HTTP on loopback: a document served by the API itself, its operations called,
 * and the attacks: a document sending calls to another host or scheme, path parameters carrying {@code ../},
 * {@code ?} or {@code #}, malformed documents, and secrets in headers.
 */
class OpenApiToolsetTest {
    private static final String SECRET = "openapi-secret-3a9f";
    private final OkHttpClient client = new OkHttpClient();
    private final List<RecordedRequest> seen = new CopyOnWriteArrayList<>();
    private MockWebServer server;
    private volatile String document;
    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/openapi/petstore.yaml")) {
            document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                seen.add(r);
                if (r.getUrl().encodedPath().equals("/openapi.yaml")) {
                    return new MockResponse.Builder().body(document).build();
                }
                if (r.getUrl().encodedPath().equals("/v1/pets/missing")) {
                    return new MockResponse.Builder().code(404).body("{\"error\": \"no such pet\"}").build();
                }
                return new MockResponse.Builder().body("called " + r.getMethod() + " " + r.getTarget()).build();
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String base() {
        return "http://127.0.0.1:" + server.getPort();
    }

    private OpenApiToolset.Builder petstore() {
        return OpenApiToolset.builder(client, URI.create(base() + "/openapi.yaml")).allowPrivateIps(true)
                .headers(Map.of("Authorization", "Bearer " + SECRET));
    }

    private static Tool tool(OpenApiToolset t, String name) {
        return t.tools().stream().filter(x -> x.spec().name().equals(name)).findFirst().orElseThrow();
    }

    private static ToolResult call(Tool tool, Map<String, ?> args) throws Exception {
        return tool.call(ToolArguments.of(JsonObject.of(args)), new ToolContext("root", "s", new ConcurrentHashMap<>()));
    }

    private RecordedRequest last() {
        return seen.get(seen.size() - 1);
    }

    @Test
    void oneToolPerOperationWithItsParametersAsASchema() {
        OpenApiToolset t = petstore().build();
        assertThat(t.tools()).extracting(x -> x.spec().name())
                .containsExactly("listPets", "createPet", "show-pet_by_id", "delete_pets_petId", "uploadPhoto");
        assertThat(t.tools()).extracting(Tool::readOnly).containsExactly(true, false, true, false, false);
        assertThat(t.instructions()).contains("Pet Store");
        JsonObject list = tool(t, "listPets").spec().parameters().toJson();
        assertThat(list.toJson()).isEqualTo("{\"type\":\"object\",\"properties\":{"
                + "\"X-Request-Id\":{\"type\":\"string\"},"
                + "\"limit\":{\"type\":\"integer\",\"format\":\"int32\",\"maximum\":100,\"description\":\"How many items to return\"},"
                + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}");
        JsonObject create = tool(t, "createPet").spec().parameters().toJson();
        // body fields prefixed body_, OpenAPI-only keywords (nullable, xml) dropped, the recursive Owner cut
        assertThat(create.toJson()).isEqualTo("{\"type\":\"object\",\"properties\":{"
                + "\"X-Request-Id\":{\"type\":\"string\"},"
                + "\"body_name\":{\"type\":\"string\"},"
                + "\"body_tag\":{\"type\":\"string\",\"enum\":[\"dog\",\"cat\"]},"
                + "\"body_owner\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                + "\"friends\":{\"type\":\"array\",\"items\":{}}}}},"
                + "\"required\":[\"body_name\"]}");
        assertThat(tool(t, "show-pet_by_id").spec().description()).isEqualTo("Info for a specific pet");
        assertThat(tool(t, "show-pet_by_id").spec().parameters().toJson().get("required").orElseThrow().toJson())
                .isEqualTo("[\"petId\"]");
    }

    @Test
    void callsBuildTheRequestFromPathQueryHeaderCookieAndBody() throws Exception {
        OpenApiToolset t = petstore().build();
        assertThat(call(tool(t, "listPets"), Map.of("limit", 5, "tags", List.of("a b", "c&d"), "X-Request-Id", "r-1")))
                .isEqualTo(ToolResult.ok("called GET /v1/pets?limit=5&tags=a%20b&tags=c%26d"));
        RecordedRequest r = last();
        assertThat(r.getHeaders().get("X-Request-Id")).isEqualTo("r-1");
        assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + SECRET);
        // the document was fetched with the headers too
        assertThat(seen.get(0).getTarget()).isEqualTo("/openapi.yaml");
        assertThat(seen.get(0).getHeaders().get("Authorization")).isEqualTo("Bearer " + SECRET);

        assertThat(call(tool(t, "createPet"), Map.of("body_name", "Rex", "body_tag", "dog")).content())
                .isEqualTo("called POST /v1/pets");
        assertThat(JsonObject.parse(last().getBody().utf8())).isEqualTo(JsonObject.of(Map.of("name", "Rex", "tag", "dog")));
        assertThat(last().getHeaders().get("Content-Type")).startsWith("application/json");

        assertThat(call(tool(t, "show-pet_by_id"), Map.of("petId", "42", "session", "abc 1")).content())
                .isEqualTo("called GET /v1/pets/42");
        assertThat(last().getHeaders().get("Cookie")).isEqualTo("session=abc%201");

        assertThat(call(tool(t, "uploadPhoto"), Map.of("petId", "42", "body", "raw photo text")).content())
                .isEqualTo("called PUT /v1/pets/42/photo");
        assertThat(last().getBody().utf8()).isEqualTo("raw photo text");
        assertThat(last().getHeaders().get("Content-Type")).startsWith("text/plain");

        assertThat(call(tool(t, "show-pet_by_id"), Map.of("petId", "missing")))
                .isEqualTo(ToolResult.error("HTTP 404: {\"error\": \"no such pet\"}"));
    }

    @Test
    void pathParametersCannotInjectTraversalQueryOrFragment() throws Exception {
        OpenApiToolset t = petstore().build();
        Tool show = tool(t, "show-pet_by_id");
        assertThat(call(show, Map.of("petId", "../../admin?delete=all#frag")).error()).isFalse();
        assertThat(last().getTarget()).isEqualTo("/v1/pets/..%2F..%2Fadmin%3Fdelete%3Dall%23frag");
        assertThat(last().getUrl().pathSegments()).containsExactly("v1", "pets", "../../admin?delete=all#frag");
        assertThat(last().getUrl().query()).isNull();
        int before = seen.size();
        for (String value : new String[] {"..", ".", ""}) {
            ToolResult r = call(show, Map.of("petId", value));
            assertThat(r.error()).as(value).isTrue();
        }
        ToolResult missing = call(show, Map.of());
        assertThat(missing).isEqualTo(ToolResult.error("argument 'petId' is required: it is part of the path /pets/{petId}"));
        ToolResult header = call(tool(t, "listPets"), Map.of("X-Request-Id", "a\r\nX-Evil: 1"));
        assertThat(header.error()).isTrue();
        assertThat(seen).hasSize(before);
    }

    @Test
    void aServerOnAnotherHostIsFollowedAsDocumentedAndOtherSchemesAreRefused() throws Exception {
        try (MockWebServer other = new MockWebServer()) {
            other.enqueue(new MockResponse.Builder().body("from the other host").build());
            other.start();
            // the document on 127.0.0.1 sends its calls to localhost: another host, followed (docker-agent does too)
            document = document.replace("url: /{base}", "url: http://localhost:" + other.getPort() + "/{base}");
            OpenApiToolset t = petstore().build();
            assertThat(call(tool(t, "listPets"), Map.of()).content()).isEqualTo("from the other host");
            assertThat(other.takeRequest().getTarget()).isEqualTo("/v1/pets");
        }
        for (String server : new String[] {"file:///etc/passwd", "ftp://files.example.com/v1", "gopher://x/"}) {
            document = document.replaceAll("url: \\S+", "url: " + server);
            OpenApiToolset t = petstore().build();
            assertThatThrownBy(t::tools).isInstanceOf(OpenApiException.class)
                    .hasMessageContaining("is not http or https").hasMessageNotContaining(SECRET)
                    .satisfies(e -> assertThat(((OpenApiException) e).location()).isEqualTo("servers[0].url"));
        }
        // an explicit base URL wins over the document
        document = document.replaceAll("url: \\S+", "url: ftp://nowhere/");
        OpenApiToolset pinned = petstore().baseUrl(base() + "/v1").build();
        assertThat(call(tool(pinned, "listPets"), Map.of()).content()).isEqualTo("called GET /v1/pets");
    }

    @Test
    void aDocumentWithoutServersCallsItsOwnOrigin() throws Exception {
        document = document.replaceAll("(?s)servers:.*?default: v1\n", "");
        OpenApiToolset t = petstore().build();
        assertThat(call(tool(t, "listPets"), Map.of()).content()).isEqualTo("called GET /pets");
    }

    @Test
    void aDocumentFromAFileNeedsAServerOrABaseUrl() throws Exception {
        Path file = Files.writeString(dir.resolve("api.yaml"), document);
        assertThatThrownBy(() -> OpenApiToolset.builder(client, file).build().tools()).isInstanceOf(OpenApiException.class)
                .hasMessageContaining("relative").hasMessageContaining("set a base URL");
        OpenApiToolset t = OpenApiToolset.builder(client, file).baseUrl(base() + "/v1").allowPrivateIps(true).build();
        assertThat(call(tool(t, "listPets"), Map.of("limit", 1)).content()).isEqualTo("called GET /v1/pets?limit=1");
        Files.writeString(file, document.replace("url: /{base}", "url: " + base() + "/{base}"));
        OpenApiToolset absolute = OpenApiToolset.builder(client, file).allowPrivateIps(true).build();
        assertThat(call(tool(absolute, "listPets"), Map.of()).content()).isEqualTo("called GET /v1/pets");
    }

    @Test
    void malformedDocumentsGiveATypedErrorNamingTheProblem() {
        record Case(String doc, String location, String problem) {}
        List<Case> cases = List.of(
                new Case("swagger: '2.0'\ninfo: {title: x}\npaths: {}", "swagger", "Swagger 2.0"),
                new Case("info: {title: x}\npaths: {}", "openapi", "missing"),
                new Case("openapi: 2.1\npaths: {}", "openapi", "version '2.1' is not 3.x"),
                new Case("openapi: true\npaths: {}", "openapi", "missing"),
                new Case("openapi: 3.0.0\npaths: [1, 2]", "paths", "must be an object"),
                new Case("openapi: 3.0.0\npaths:\n  pets: {}", "paths.pets", "must start with '/'"),
                new Case("openapi: 3.0.0\npaths:\n  /p:\n    get:\n      parameters:\n        - name: x\n          in: body",
                        "paths./p.get.parameters[0].in", "'body' is not one of path, query, header, cookie"),
                new Case("openapi: 3.0.0\npaths:\n  /p:\n    get:\n      parameters:\n        - in: query",
                        "paths./p.get.parameters[0].name", "missing"),
                new Case("openapi: 3.0.0\npaths:\n  /p:\n    get:\n      parameters:\n        - $ref: 'other.yaml#/P'",
                        "paths./p.get.parameters[0].$ref", "points outside the document"),
                new Case("openapi: 3.0.0\npaths:\n  /p:\n    get:\n      parameters:\n        - $ref: '#/components/parameters/Nope'",
                        "paths./p.get.parameters[0].$ref", "does not point at anything"),
                new Case("openapi: 3.0.0\npaths:\n  /p:\n    $ref: '#/paths/~1p'", "paths./p", "circular"),
                new Case("openapi: 3.0.0\nservers:\n  - url: 'https://{region}.example.com'\npaths: {}",
                        "servers[0].url", "variable {region} is not declared"),
                new Case("openapi: 3.0.0\npaths:\n  /p:\n    post:\n      requestBody: {description: x}",
                        "paths./p.post.requestBody", "needs 'content'"),
                new Case("openapi: 3.0.0\npaths: {/p: {get: {parameters: [}}}", "", "not valid JSON or YAML"),
                new Case("[1, 2]", "", "must be an object"));
        for (Case c : cases) {
            document = c.doc();
            OpenApiToolset t = petstore().build();
            assertThatThrownBy(t::tools).as(c.doc()).isInstanceOf(OpenApiException.class)
                    .hasMessageContaining(c.problem()).hasMessageNotContaining(SECRET)
                    .satisfies(e -> {
                        OpenApiException o = (OpenApiException) e;
                        assertThat(o.location()).as(c.doc()).isEqualTo(c.location());
                        assertThat(o.document()).isEqualTo(base() + "/openapi.yaml");
                    });
        }
    }

    @Test
    void aDocumentThatCannotBeFetchedIsATypedErrorWithoutTheSecret() throws Exception {
        OpenApiToolset missing = OpenApiToolset.builder(client, URI.create(base() + "/nope.json")).allowPrivateIps(true)
                .headers(Map.of("X-Api-Key", SECRET)).build();
        document = null;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                return new MockResponse.Builder().code(401).body("bad key " + r.getHeaders().get("X-Api-Key")).build();
            }
        });
        assertThatThrownBy(missing::tools).isInstanceOf(OpenApiException.class).hasMessageContaining("HTTP 401")
                .hasMessageNotContaining(SECRET);
        assertThat(missing.toString()).contains("X-Api-Key").doesNotContain(SECRET);
        OpenApiToolset guarded = OpenApiToolset.builder(client, URI.create(base() + "/openapi.yaml")).build();
        assertThatThrownBy(guarded::tools).isInstanceOf(OpenApiException.class).hasMessageContaining("loopback");
        assertThatThrownBy(() -> OpenApiToolset.builder(client, URI.create("ftp://x/api.json")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
