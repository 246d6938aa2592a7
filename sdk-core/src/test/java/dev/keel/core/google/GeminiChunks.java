package dev.keel.core.google;

import dev.keel.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GenerateContentResponse} objects as the Gemini API documents them ("Generating content", "Function
 * calling", "Thought signatures") and as recorded from the real API in the vercel/ai repository's fixtures
 * ({@code packages/google/src/__fixtures__/}: {@code google-text.chunks.txt} — text chunks with cumulative
 * {@code usageMetadata} and a final empty part carrying the thought signature; {@code google-tool-call-gemini3.chunks.txt}
 * — a whole {@code functionCall} part with its {@code thoughtSignature}, then a final empty text part with
 * {@code finishReason: STOP}; {@code issue-19758-prompt-block.chunks.txt} — a blocked prompt with no candidates;
 * {@code issue-19822-complete-usage.json} — cached and tool-use prompt tokens; {@code google-429-retry-info.json}
 * — a 429 with a {@code RetryInfo} delay). The values are Keel's own.
 */
final class GeminiChunks {
    static final String MODEL_VERSION = "gemini-3-pro-preview";
    static final String RESPONSE_ID = "bH6LaZW8Fp_3nsEPqtaSwQ4";

    private GeminiChunks() {}

    static String usage(int prompt, int candidates, int thoughts) {
        return "{\"promptTokenCount\":" + prompt + ",\"candidatesTokenCount\":" + candidates + ",\"totalTokenCount\":"
                + (prompt + candidates + thoughts) + ",\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":"
                + prompt + "}]" + (thoughts > 0 ? ",\"thoughtsTokenCount\":" + thoughts : "") + "}";
    }

    /** One response (or chunk) with the given parts (JSON), finish reason (or null) and usage (JSON or null). */
    static String chunk(List<String> parts, String finishReason, String usage) {
        return "{\"candidates\":[{\"content\":{\"parts\":[" + String.join(",", parts) + "],\"role\":\"model\"}"
                + (finishReason == null ? "" : ",\"finishReason\":\"" + finishReason + "\"") + ",\"index\":0}]"
                + (usage == null ? "" : ",\"usageMetadata\":" + usage) + ",\"modelVersion\":\"" + MODEL_VERSION
                + "\",\"responseId\":\"" + RESPONSE_ID + "\"}";
    }

    static String text(String text) {
        return "{\"text\":" + JsonValue.of(text).toJson() + "}";
    }

    static String thought(String text) {
        return "{\"text\":" + JsonValue.of(text).toJson() + ",\"thought\":true}";
    }

    static String signedEmptyText(String signature) {
        return "{\"text\":\"\",\"thoughtSignature\":\"" + signature + "\"}";
    }

    static String functionCall(String name, String argsJson, String signature) {
        return "{\"functionCall\":{\"name\":\"" + name + "\",\"args\":" + argsJson + "}"
                + (signature == null ? "" : ",\"thoughtSignature\":\"" + signature + "\"") + "}";
    }

    /** An event stream of {@code chunks}, as {@code streamGenerateContent?alt=sse} sends it (data-only events). */
    static String sse(List<String> chunks) {
        StringBuilder b = new StringBuilder();
        for (String c : chunks) {
            b.append("data: ").append(c).append("\r\n\r\n");
        }
        return b.toString();
    }

    /** A text answer split into {@code pieces}, usage growing, ending with a signed empty part and STOP. */
    static List<String> textChunks(List<String> pieces, String signature, int prompt, int thoughts) {
        List<String> chunks = new ArrayList<>();
        int out = 0;
        for (String p : pieces) {
            out += Math.max(1, p.length() / 4);
            chunks.add(chunk(List.of(text(p)), null, usage(prompt, out, thoughts)));
        }
        chunks.add(chunk(List.of(signedEmptyText(signature)), "STOP", usage(prompt, out, thoughts)));
        return chunks;
    }
}
