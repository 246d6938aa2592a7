package dev.keel.authz.internal.embedded;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.keel.authz.PermissionsException;
import dev.keel.authz.internal.transport.Rpc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The C ABI of the embedded SpiceDB library, called through JNA's {@link Function} (no interface
 * proxies, so it works unchanged on the module path). ABI of every RPC function:
 * {@code void f(uint64 handle, const uchar* req, int req_len, uchar** out_resp, int* out_len, char** out_err)};
 * the caller frees {@code *out_resp} with {@code spicedb_free_bytes} and {@code *out_err} with
 * {@code spicedb_free}. {@code spicedb_start(char* options_json)} and {@code spicedb_dispose(uint64)}
 * return JSON strings freed with {@code spicedb_free}. Thread-safe (the library is).
 */
public final class NativeSpiceDb {
    private final Path path;
    private final Function start;
    private final Function dispose;
    private final Function free;
    private final Function freeBytes;
    private final Map<Rpc, Function> rpcs = new EnumMap<>(Rpc.class);

    /** Loads the library at {@code path} (JNA keeps one handle per path for the life of the process). */
    public NativeSpiceDb(Path path) {
        this.path = path;
        NativeLibrary lib = NativeLibrary.getInstance(path.toString());
        start = lib.getFunction("spicedb_start");
        dispose = lib.getFunction("spicedb_dispose");
        free = lib.getFunction("spicedb_free");
        freeBytes = lib.getFunction("spicedb_free_bytes");
        rpcs.put(Rpc.WRITE_SCHEMA, lib.getFunction("spicedb_schema_write_schema"));
        rpcs.put(Rpc.READ_SCHEMA, lib.getFunction("spicedb_schema_read_schema"));
        rpcs.put(Rpc.WRITE_RELATIONSHIPS, lib.getFunction("spicedb_permissions_write_relationships"));
        rpcs.put(Rpc.DELETE_RELATIONSHIPS, lib.getFunction("spicedb_permissions_delete_relationships"));
        rpcs.put(Rpc.CHECK_PERMISSION, lib.getFunction("spicedb_permissions_check_permission"));
        rpcs.put(Rpc.CHECK_BULK_PERMISSIONS, lib.getFunction("spicedb_permissions_check_bulk_permissions"));
        rpcs.put(Rpc.EXPAND_PERMISSION_TREE, lib.getFunction("spicedb_permissions_expand_permission_tree"));
    }

    /** The file the library was loaded from. */
    public Path path() {
        return path;
    }

    /** Calls {@code spicedb_start} and returns its JSON answer. */
    public String start(String optionsJson) {
        return takeString((Pointer) start.invoke(Pointer.class, new Object[] {optionsJson}));
    }

    /** Calls {@code spicedb_dispose} and returns its JSON answer. */
    public String dispose(long handle) {
        return takeString((Pointer) dispose.invoke(Pointer.class, new Object[] {handle}));
    }

    /** True when the library implements {@code rpc} over FFI (streaming RPCs are not). */
    public boolean supports(Rpc rpc) {
        return rpcs.containsKey(rpc);
    }

    /** Calls a unary RPC with marshalled request bytes and returns the marshalled response. */
    public byte[] call(long handle, Rpc rpc, byte[] request) {
        Function f = rpcs.get(rpc);
        PointerByReference outResponse = new PointerByReference();
        IntByReference outLength = new IntByReference();
        PointerByReference outError = new PointerByReference();
        f.invoke(Void.class, new Object[] {handle, request, request.length, outResponse, outLength, outError});
        Pointer error = outError.getValue();
        if (error != null) {
            String message = takeString(error);
            throw new PermissionsException(rpc.method(), statusOf(message), 1, message, null);
        }
        Pointer response = outResponse.getValue();
        if (response == null) {
            return new byte[0];
        }
        try {
            return response.getByteArray(0, outLength.getValue());
        } finally {
            freeBytes.invoke(Void.class, new Object[] {response});
        }
    }

    /**
     * Go's gRPC error strings read {@code rpc error: code = InvalidArgument desc = ...}; maps the code to
     * the gRPC status name so embedded and remote failures look alike.
     */
    static String statusOf(String message) {
        String marker = "code = ";
        int at = message.indexOf(marker);
        if (at < 0) {
            return "UNKNOWN";
        }
        int end = message.indexOf(' ', at + marker.length());
        String camel = message.substring(at + marker.length(), end < 0 ? message.length() : end);
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
    }

    private String takeString(Pointer p) {
        if (p == null) {
            return "";
        }
        try {
            return p.getString(0, StandardCharsets.UTF_8.name());
        } finally {
            free.invoke(Void.class, new Object[] {p});
        }
    }

    @Override
    public String toString() {
        return "NativeSpiceDb[" + path + "]";
    }
}
