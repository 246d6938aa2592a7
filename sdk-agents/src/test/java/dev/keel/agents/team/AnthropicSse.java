package dev.keel.agents.team;

/** A complete Anthropic Messages stream answering {@code text}, as the API sends it, for tests on the wire. */
final class AnthropicSse {
    private AnthropicSse() {}

    static String text(String model, String text) {
        return """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"MODEL","stop_reason":null,"usage":{"input_tokens":3,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"TEXT"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}

                event: message_stop
                data: {"type":"message_stop"}

                """.replace("MODEL", model).replace("TEXT", text);
    }
}
