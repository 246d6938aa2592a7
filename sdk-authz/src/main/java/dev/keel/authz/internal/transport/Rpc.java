package dev.keel.authz.internal.transport;

/** The SpiceDB RPCs Keel calls, with their gRPC method names. */
public enum Rpc {
    /** SchemaService.WriteSchema */
    WRITE_SCHEMA("authzed.api.v1.SchemaService", "WriteSchema"),
    /** SchemaService.ReadSchema */
    READ_SCHEMA("authzed.api.v1.SchemaService", "ReadSchema"),
    /** PermissionsService.WriteRelationships */
    WRITE_RELATIONSHIPS("authzed.api.v1.PermissionsService", "WriteRelationships"),
    /** PermissionsService.DeleteRelationships */
    DELETE_RELATIONSHIPS("authzed.api.v1.PermissionsService", "DeleteRelationships"),
    /** PermissionsService.CheckPermission */
    CHECK_PERMISSION("authzed.api.v1.PermissionsService", "CheckPermission"),
    /** PermissionsService.CheckBulkPermissions */
    CHECK_BULK_PERMISSIONS("authzed.api.v1.PermissionsService", "CheckBulkPermissions"),
    /** PermissionsService.ExpandPermissionTree */
    EXPAND_PERMISSION_TREE("authzed.api.v1.PermissionsService", "ExpandPermissionTree"),
    /** PermissionsService.LookupResources (server streaming) */
    LOOKUP_RESOURCES("authzed.api.v1.PermissionsService", "LookupResources"),
    /** PermissionsService.ReadRelationships (server streaming) */
    READ_RELATIONSHIPS("authzed.api.v1.PermissionsService", "ReadRelationships");

    private final String service;
    private final String method;

    Rpc(String service, String method) {
        this.service = service;
        this.method = method;
    }

    /** The method name, for example {@code CheckPermission}. */
    public String method() {
        return method;
    }

    /** The full gRPC method name, {@code service/method}. */
    public String fullName() {
        return service + "/" + method;
    }
}
