package dev.keel.agents.internal;

import dev.keel.agents.skills.Skill;
import dev.keel.agents.tool.ToolsetException;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skills published over HTTP with the Agent Skills discovery index: {@code /.well-known/agent-skills/index.json}
 * (or the older {@code /.well-known/skills/index.json}) under the given URL, or the URL itself when it names a
 * {@code .json} file. The index lists each skill's name, description and {@code SKILL.md} URL; the instructions
 * and supporting files are fetched when used. Not API.
 */
public final class RemoteSkills {
    private static final Logger log = LoggerFactory.getLogger(RemoteSkills.class);
    private static final long MAX_BYTES = 1024 * 1024;

    private RemoteSkills() {}

    /** The skills the index at {@code source} lists; none (and a warning) when it cannot be read. */
    public static List<Skill> load(URI source, OkHttpClient http) {
        List<URI> candidates = source.getPath() != null && source.getPath().endsWith(".json") ? List.of(source)
                : List.of(under(source, ".well-known/agent-skills/index.json"), under(source, ".well-known/skills/index.json"));
        String lastProblem = "";
        for (URI index : candidates) {
            String text;
            try {
                text = get(index, http);
            } catch (ToolsetException e) {
                lastProblem = e.getMessage();
                continue;
            }
            return parse(index, text, http);
        }
        log.warn("skills at {} could not be loaded: {}", source, lastProblem);
        return List.of();
    }

    private static URI under(URI base, String path) {
        String s = base.toString();
        return URI.create(s.endsWith("/") ? s + path : s + "/" + path);
    }

    private static List<Skill> parse(URI index, String text, OkHttpClient http) {
        List<Skill> out = new ArrayList<>();
        JsonArray skills;
        try {
            skills = JsonValue.parse(text).asObject().flatMap(o -> o.get("skills")).flatMap(JsonValue::asArray)
                    .orElseThrow(() -> new IllegalArgumentException("no 'skills' list"));
        } catch (RuntimeException e) {
            log.warn("skills index {} is not a skills index: {}", index, e.getMessage());
            return out;
        }
        for (JsonValue item : skills.items()) {
            JsonObject o = item.asObject().orElse(JsonObject.of());
            String name = o.get("name").flatMap(JsonValue::asString).orElse("");
            String description = o.get("description").flatMap(JsonValue::asString).orElse("");
            String type = o.get("type").flatMap(JsonValue::asString).orElse("skill-md");
            if (!"skill-md".equals(type)) {
                log.warn("skill '{}' of {} is published as '{}', which Keel does not read; skipped", name, index, type);
                continue;
            }
            URI file;
            try {
                file = index.resolve(o.get("url").flatMap(JsonValue::asString).orElse(name + "/SKILL.md"));
            } catch (IllegalArgumentException e) {
                log.warn("skill '{}' of {} has an invalid url; skipped", name, index);
                continue;
            }
            if (!file.getScheme().equals(index.getScheme()) && !"https".equals(file.getScheme())) {
                log.warn("skill '{}' of {} points to {}, which Keel does not fetch; skipped", name, index, file);
                continue;
            }
            try {
                out.add(Skill.builder(name, description).origin(file.toString())
                        .content(new UrlContent(file, http)).build());
            } catch (IllegalArgumentException e) {
                log.warn("skill of {} skipped: {}", index, e.getMessage());
            }
        }
        return out;
    }

    private static String get(URI uri, OkHttpClient http) {
        Request request = new Request.Builder().url(uri.toString()).get().build();
        try (Response response = http.newCall(request).execute()) {
            ResponseBody body = response.body();
            if (!response.isSuccessful() || body == null) {
                throw new ToolsetException(uri + " answered HTTP " + response.code());
            }
            if (body.contentLength() > MAX_BYTES) {
                throw new ToolsetException(uri + " is larger than " + MAX_BYTES / 1024 + " KiB");
            }
            byte[] bytes = body.byteStream().readNBytes((int) MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new ToolsetException(uri + " is larger than " + MAX_BYTES / 1024 + " KiB");
            }
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ToolsetException(uri + " could not be fetched: " + e.getMessage(), e);
        }
    }

    /** A published {@code SKILL.md}: fetched on use; supporting files relative to it, never above its folder. */
    private record UrlContent(URI file, OkHttpClient http) implements Skill.Content {
        @Override
        public String instructions() {
            String text = get(file, http);
            return SkillFiles.parse(text).map(SkillFiles.Document::body).orElse(text.strip());
        }

        @Override
        public String file(String relativePath) {
            URI folder = file.resolve(".");
            URI target;
            try {
                target = new URI(null, null, relativePath, null);
            } catch (java.net.URISyntaxException e) {
                throw new ToolsetException("'" + relativePath + "' is not a relative path");
            }
            URI resolved = folder.resolve(target).normalize();
            if (target.isAbsolute() || relativePath.startsWith("/")
                    || !resolved.toString().startsWith(folder.toString())) {
                throw new ToolsetException("'" + relativePath + "' is outside the skill's folder");
            }
            return get(resolved, http);
        }
    }
}
