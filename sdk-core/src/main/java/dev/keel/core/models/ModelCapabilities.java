package dev.keel.core.models;

/**
 * What a model accepts besides text and what it can generate, as declared in configuration (docker-agent's
 * {@code capabilities} and {@code output_capabilities}, and DMR's {@code provider_opts.supports_images} /
 * {@code supports_pdf}). A {@code null} flag means "not declared"; a declared flag is authoritative, including
 * {@code false}.
 *
 * <p>Keel's messages are text today, so no attachment is ever dropped or converted on a model's account; the flags
 * are carried for host applications that decide what to send (see {@link ModelConfig#capabilities()}).
 *
 * @param imageInput  whether the model accepts image attachments
 * @param pdfInput    whether it accepts PDF attachments
 * @param audioInput  whether it accepts audio attachments
 * @param videoInput  whether it accepts video attachments
 * @param imageOutput whether it can generate images
 */
public record ModelCapabilities(Boolean imageInput, Boolean pdfInput, Boolean audioInput, Boolean videoInput,
                                Boolean imageOutput) {
    private static final ModelCapabilities UNDECLARED = new ModelCapabilities(null, null, null, null, null);

    /**
     * Nothing declared.
     *
     * @return capabilities with every flag undeclared
     */
    public static ModelCapabilities undeclared() {
        return UNDECLARED;
    }

    /**
     * Whether nothing is declared.
     *
     * @return true when every flag is {@code null}
     */
    public boolean isUndeclared() {
        return equals(UNDECLARED);
    }

    /**
     * These flags with every flag {@code other} declares laid over them.
     *
     * @param other the flags that win where declared
     * @return the combination
     */
    public ModelCapabilities overriddenBy(ModelCapabilities other) {
        return new ModelCapabilities(pick(other.imageInput, imageInput), pick(other.pdfInput, pdfInput),
                pick(other.audioInput, audioInput), pick(other.videoInput, videoInput),
                pick(other.imageOutput, imageOutput));
    }

    private static Boolean pick(Boolean preferred, Boolean fallback) {
        return preferred != null ? preferred : fallback;
    }
}
