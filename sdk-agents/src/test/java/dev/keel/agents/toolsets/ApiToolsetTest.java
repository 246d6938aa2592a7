package dev.keel.agents.toolsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.json.JsonObject;
import dev.keel.core.tool.JsonSchema;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The api toolset over real HTTP on loopback, and the attacks on where its calls go and what they carry. */
class ApiToolsetTest {
    private static final String SECRET = "api-secret-9d1e77";
    private final OkHttpClient client = new OkHttpClient();
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getPort() + path; // as written in a team file: placeholders unencoded
    }

    private static ToolResult call(ApiToolset api, Map<String, ?> args) throws Exception {
        Tool tool = api.tools().get(0);
        return tool.call(ToolArguments.of(JsonObject.of(args)), new ToolContext("root", "s", new ConcurrentHashMap<>()));
    }

    private ApiToolset.Builder weather(String method, String endpoint) {
        return ApiToolset.builder(client, "get_weather", method, endpoint).allowPrivateIps(true)
                .description("Current weather for a city")
                .parameters(JsonSchema.object().required("city", JsonSchema.string("City")).build())
                .headers(Map.of("Authorization", "Bearer " + SECRET));
    }

    @Test
    void getFillsThePlaceholdersAndSendsTheHeaders() throws Exception {
        server.enqueue(new MockResponse.Builder().body("{\"temp\": 21}").build());
        ApiToolset api = weather("get", url("/v1/current?city=${city}&units=${encodeURIComponent(units)}")).build();
        Tool tool = api.tools().get(0);
        assertThat(tool.spec().name()).isEqualTo("get_weather");
        assertThat(tool.spec().description()).isEqualTo("Current weather for a city");
        assertThat(tool.readOnly()).isTrue();
        assertThat(call(api, Map.of("city", "São Paulo & Rio", "units", "metric"))).isEqualTo(ToolResult.ok("{\"temp\": 21}"));
        RecordedRequest r = server.takeRequest();
        assertThat(r.getMethod()).isEqualTo("GET");
        assertThat(r.getTarget()).isEqualTo("/v1/current?city=S%C3%A3o%20Paulo%20%26%20Rio&units=metric");
        assertThat(r.getUrl().queryParameter("city")).isEqualTo("São Paulo & Rio");
        assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + SECRET);
    }

    @Test
    void postSendsTheArgumentsAsJson() throws Exception {
        server.enqueue(new MockResponse.Builder().code(201).body("created").build());
        ApiToolset api = ApiToolset.builder(client, "create_task", "POST", url("/tasks/${project}")).allowPrivateIps(true)
                .build();
        assertThat(api.tools().get(0).readOnly()).isFalse();
        assertThat(call(api, Map.of("project", "p1", "title", "Ship it", "priority", 2))).isEqualTo(ToolResult.ok("created"));
        RecordedRequest r = server.takeRequest();
        assertThat(r.getMethod()).isEqualTo("POST");
        assertThat(r.getTarget()).isEqualTo("/tasks/p1");
        assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat(JsonObject.parse(r.getBody().utf8())).isEqualTo(JsonObject.of(Map.of("project", "p1", "title", "Ship it",
                "priority", 2)));
    }

    @Test
    void anErrorStatusIsAnErrorResultAndLongBodiesAreCut() throws Exception {
        server.enqueue(new MockResponse.Builder().code(404).body("no such city").build());
        server.enqueue(new MockResponse.Builder().body("é".repeat(100)).build());
        ApiToolset api = weather("GET", url("/w/${city}")).maxBytes(51).build();
        assertThat(call(api, Map.of("city", "Atlantis"))).isEqualTo(ToolResult.error("HTTP 404: no such city"));
        ToolResult cut = call(api, Map.of("city", "Paris"));
        assertThat(cut.content()).isEqualTo("é".repeat(25) + "\n[truncated]"); // 51 bytes: never half a character
    }

    @Test
    void argumentsCannotLeaveThePathSegmentOrAddAQuery() throws Exception {
        server.enqueue(new MockResponse.Builder().body("ok").build());
        ApiToolset api = weather("GET", url("/users/${city}/posts")).build();
        assertThat(call(api, Map.of("city", "../admin?delete=1#x")).error()).isFalse();
        RecordedRequest r = server.takeRequest();
        assertThat(r.getTarget()).isEqualTo("/users/..%2Fadmin%3Fdelete%3D1%23x/posts");
        assertThat(r.getUrl().pathSegments()).containsExactly("users", "../admin?delete=1#x", "posts");
        for (String dots : new String[] {"..", "."}) {
            ToolResult refused = call(api, Map.of("city", dots));
            assertThat(refused.error()).isTrue();
            assertThat(refused.content()).contains("'.' or '..' path segment");
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void placeholdersCannotChooseTheHostOrScheme() {
        assertThatThrownBy(() -> ApiToolset.builder(client, "t", "GET", "https://${host}/x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheme or host");
        assertThatThrownBy(() -> ApiToolset.builder(client, "t", "GET", "${url}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiToolset.builder(client, "t", "GET", "https://api.example.com/${fetch('x')}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("${fetch('x')}");
        assertThatThrownBy(() -> ApiToolset.builder(client, "t", "CONNECT", "https://api.example.com/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CONNECT");
        assertThatThrownBy(() -> ApiToolset.builder(client, "t", "GET", "file:///etc/passwd"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an http or https URL");
    }

    @Test
    void redirectsAreNotFollowedSoTheHeadersNeverReachAnotherHost() throws Exception {
        try (MockWebServer other = new MockWebServer()) {
            other.start();
            server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", other.url("/steal")).build());
            ToolResult r = call(weather("GET", url("/w?city=${city}")).build(), Map.of("city", "x"));
            assertThat(r.error()).isTrue();
            assertThat(r.content()).contains("HTTP 302", "/steal", "not followed");
            assertThat(other.getRequestCount()).isZero();
        }
    }

    @Test
    void privateAddressesAreRefusedUnlessAllowed() throws Exception {
        ApiToolset api = weather("GET", url("/w?city=${city}")).allowPrivateIps(false).build();
        ToolResult r = call(api, Map.of("city", "x"));
        assertThat(r.error()).isTrue();
        assertThat(r.content()).contains("127.0.0.1", "loopback", "allow_private_ips").doesNotContain(SECRET);
        // a name that resolves to a non-public address is refused before any connection is opened
        ApiToolset byName = ApiToolset.builder(client, "ping", "GET", "http://localhost:" + server.getPort() + "/x").build();
        assertThat(call(byName, Map.of()).content()).contains("localhost", "resolves to", "loopback");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void secretsNeverShowInToStringOrErrors() throws Exception {
        ApiToolset api = weather("GET", url("/w?city=${city}")).build();
        assertThat(api.toString()).contains("Authorization").doesNotContain(SECRET);
        assertThat(api.headerNames()).containsExactly("Authorization");
        server.close(); // connection refused
        ToolResult r = call(api, Map.of("city", "x"));
        assertThat(r.error()).isTrue();
        assertThat(r.content()).contains("failed").doesNotContain(SECRET);
        assertThatThrownBy(() -> ApiToolset.builder(client, "t", "GET", "https://api.example.com/")
                .headers(Map.of("X-Key", SECRET + "\r\nX-Injected: 1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X-Key")
                .hasMessageNotContaining(SECRET);
    }
}
