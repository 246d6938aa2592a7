package dev.keel.agents;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Resume tokens: {@code k1.<conversation id, base64url>.<128 random bits, base64url>}. The id lets any instance
 * find the stored conversation; the random part makes the token a capability for exactly one pending call (it
 * is stored with the call and compared in constant time). Stateless; thread-safe.
 */
final class ResumeTokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "k1.";

    private ResumeTokens() {}

    static String create(String conversationId) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return PREFIX + b64.encodeToString(conversationId.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(nonce);
    }

    /** The conversation a token belongs to. */
    static String conversationId(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.indexOf('.', PREFIX.length()) < 0) {
            throw new AgentException.ResumeRefused("not a resume token");
        }
        String id = token.substring(PREFIX.length(), token.indexOf('.', PREFIX.length()));
        try {
            return new String(Base64.getUrlDecoder().decode(id), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AgentException.ResumeRefused("not a resume token");
        }
    }

    static boolean matches(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
