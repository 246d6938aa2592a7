package dev.keel.core.anthropic;

import java.util.Objects;

/**
 * Anthropic workload identity federation: instead of an API key, an {@link Anthropic} model exchanges an OIDC
 * identity token from your identity provider for a short-lived access token ({@code POST /v1/oauth/token}, RFC 7523
 * {@code jwt-bearer} grant, evaluated against a federation rule of your organization), sends it as
 * {@code Authorization: Bearer}, and exchanges again before it expires or when the API refuses it.
 *
 * <pre>{@code
 * Anthropic claude = Anthropic.builder().model("claude-sonnet-4-5")
 *         .workloadIdentity(WorkloadIdentity.builder()
 *                 .federationRuleId("fdrl_0123")
 *                 .organizationId("7d1c6a52-4a8e-4c44-9a51-3f2f8f0b9c11")
 *                 .identityToken(IdentityTokenSource.file(Path.of("/var/run/secrets/tokens/anthropic")))
 *                 .build())
 *         .build();
 * }</pre>
 *
 * <p>The identity token and the access token are credentials: they are sent over HTTPS only (plain HTTP is refused
 * except to a loopback address, for tests), and never appear in {@link #toString()}, logs or exception messages.
 * docker-agent's model field {@code auth: {type: workload_identity_federation, ...}}. Immutable and thread-safe.
 */
public final class WorkloadIdentity {
    private final String federationRuleId;
    private final String organizationId;
    private final String serviceAccountId;
    private final String workspaceId;
    private final IdentityTokenSource identityToken;

    private WorkloadIdentity(Builder b) {
        this.federationRuleId = require(b.federationRuleId, "federationRuleId");
        if (!federationRuleId.startsWith("fdrl_")) {
            throw new IllegalArgumentException("a federation rule id starts with 'fdrl_', was '" + federationRuleId + "'");
        }
        this.organizationId = require(b.organizationId, "organizationId");
        if (b.serviceAccountId != null && !b.serviceAccountId.startsWith("svac_")) {
            throw new IllegalArgumentException("a service account id starts with 'svac_', was '" + b.serviceAccountId
                    + "'");
        }
        this.serviceAccountId = b.serviceAccountId;
        this.workspaceId = b.workspaceId;
        this.identityToken = Objects.requireNonNull(b.identityToken, "identityToken is required");
    }

    private static String require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value.strip();
    }

    /**
     * A builder; the federation rule, the organization and the identity token source are required.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The federation rule the exchange is evaluated against.
     *
     * @return its tagged id ({@code fdrl_...})
     */
    public String federationRuleId() {
        return federationRuleId;
    }

    /**
     * The organization that owns the rule.
     *
     * @return its UUID
     */
    public String organizationId() {
        return organizationId;
    }

    /**
     * The service account the minted token acts as, when the rule targets one.
     *
     * @return its tagged id ({@code svac_...}), or null
     */
    public String serviceAccountId() {
        return serviceAccountId;
    }

    /**
     * The workspace the minted token is scoped to, when the rule is enabled for several.
     *
     * @return its tagged id ({@code wrkspc_...} or {@code default}), or null for the rule's only workspace
     */
    public String workspaceId() {
        return workspaceId;
    }

    /**
     * Where identity tokens come from.
     *
     * @return the source
     */
    public IdentityTokenSource identityToken() {
        return identityToken;
    }

    /** Names the rule, organization and source; never a token. */
    @Override
    public String toString() {
        return "WorkloadIdentity[rule=" + federationRuleId + ", organization=" + organizationId
                + (serviceAccountId != null ? ", serviceAccount=" + serviceAccountId : "")
                + (workspaceId != null ? ", workspace=" + workspaceId : "") + ", identityToken=" + identityToken + "]";
    }

    /** Configures a {@link WorkloadIdentity}. Not thread-safe. */
    public static final class Builder {
        private String federationRuleId;
        private String organizationId;
        private String serviceAccountId;
        private String workspaceId;
        private IdentityTokenSource identityToken;

        private Builder() {}

        /**
         * The federation rule ({@code fdrl_...}); required.
         *
         * @param id the rule's tagged id
         * @return this builder
         */
        public Builder federationRuleId(String id) {
            this.federationRuleId = id;
            return this;
        }

        /**
         * The organization's UUID; required.
         *
         * @param id the organization id
         * @return this builder
         */
        public Builder organizationId(String id) {
            this.organizationId = id;
            return this;
        }

        /**
         * The service account ({@code svac_...}) the rule targets; optional.
         *
         * @param id the service account's tagged id, or null
         * @return this builder
         */
        public Builder serviceAccountId(String id) {
            this.serviceAccountId = id;
            return this;
        }

        /**
         * The workspace to scope the token to ({@code wrkspc_...} or {@code default}); optional, needed when the
         * rule is enabled for several workspaces.
         *
         * @param id the workspace's tagged id, or null
         * @return this builder
         */
        public Builder workspaceId(String id) {
            this.workspaceId = id;
            return this;
        }

        /**
         * Where identity tokens come from; required.
         *
         * @param source the source, asked at every exchange
         * @return this builder
         */
        public Builder identityToken(IdentityTokenSource source) {
            this.identityToken = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * The configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException when a required value is missing or an id has the wrong prefix
         */
        public WorkloadIdentity build() {
            return new WorkloadIdentity(this);
        }
    }
}
