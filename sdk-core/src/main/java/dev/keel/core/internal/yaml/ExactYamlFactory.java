package dev.keel.core.internal.yaml;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import org.yaml.snakeyaml.DumperOptions;

/**
 * A YAML factory whose files read back exactly what was written, for the files Keel keeps (cassettes, run
 * recordings). SnakeYAML's emitter writes U+0085 (NEXT LINE) raw in plain, single-quoted and literal-block scalars,
 * and its YAML 1.1 reader then takes it for a line break, so a job or a model that printed it would read back with a
 * space or a newline in its place. This factory's generator writes any scalar holding it, key or value,
 * double-quoted, where it is escaped ({@code \N}); every other scalar keeps the style the builder's features choose.
 * Every other character reads back as written in every style, with one exception no style can avoid: a U+FEFF at the
 * very start of the document is taken for a byte order mark, which is why Keel's files begin with a fixed key.
 * Thread-safe, like any Jackson factory.
 */
public final class ExactYamlFactory extends YAMLFactory {
    private static final long serialVersionUID = 1L;
    private static final char NEXT_LINE = '\u0085';

    private ExactYamlFactory(YAMLFactoryBuilder builder) {
        super(builder);
    }

    /** A factory with {@code builder}'s settings whose scalars holding U+0085 are double-quoted. */
    public static ExactYamlFactory of(YAMLFactoryBuilder builder) {
        return new ExactYamlFactory(builder);
    }

    @Override
    protected YAMLGenerator _createGenerator(Writer out, IOContext ctxt) throws IOException {
        return _dumperOptions == null
                ? new ExactGenerator(ctxt, _generatorFeatures, _yamlGeneratorFeatures, this, out, _version)
                : new ExactGenerator(ctxt, _generatorFeatures, _yamlGeneratorFeatures, this, out, _dumperOptions);
    }

    @Override
    protected YAMLGenerator _createUTF8Generator(OutputStream out, IOContext ctxt) throws IOException {
        return _createGenerator(_createWriter(out, JsonEncoding.UTF8, ctxt), ctxt);
    }

    private static final class ExactGenerator extends YAMLGenerator {
        ExactGenerator(IOContext ctxt, int features, int yamlFeatures, ExactYamlFactory factory, Writer out,
                       DumperOptions.Version version) throws IOException {
            super(ctxt, features, yamlFeatures, factory._quotingChecker, factory._objectCodec, out, version);
        }

        ExactGenerator(IOContext ctxt, int features, int yamlFeatures, ExactYamlFactory factory, Writer out,
                       DumperOptions options) throws IOException {
            super(ctxt, features, yamlFeatures, factory._quotingChecker, factory._objectCodec, out, options);
        }

        @Override
        protected void _writeScalar(String value, String type, DumperOptions.ScalarStyle style) throws IOException {
            super._writeScalar(value, type, value.indexOf(NEXT_LINE) >= 0 ? DumperOptions.ScalarStyle.DOUBLE_QUOTED
                    : style);
        }
    }
}
