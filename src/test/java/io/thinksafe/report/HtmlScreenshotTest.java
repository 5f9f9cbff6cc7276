package io.thinksafe.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.thinksafe.data.bench.Benchmark;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report as a browser shows it: rendered by headless Chromium (Debian's {@code chromium},
 * which {@code .ci/run} installs), the screenshot must show Table 1 (its header band and the model
 * swatches) and, below it, the trade-off figure (its markers and the arrow to the aligned model).
 */
class HtmlScreenshotTest {
    static final int WIDTH = 1400;
    static final int HEIGHT = 2200;

    @TempDir
    Path tmp;

    static String chromium() {
        String env = System.getenv("THINKSAFE_CHROMIUM");
        if (env != null && !env.isBlank()) {
            return env;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
                File f = new File(dir, name);
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        return null;
    }

    @Test
    void chromiumShowsTheTableAndThePlot() throws Exception {
        String browser = chromium();
        if (browser == null) {
            fail("this test renders the HTML report in headless Chromium, and no chromium is on the PATH: install it "
                    + "(Debian/Ubuntu: apt-get install -y chromium; .ci/run does this) or set THINKSAFE_CHROMIUM to the browser");
        }
        Path a = Fixtures.write(Files.createDirectories(tmp.resolve("runs/base")), "Base model", null,
                Fixtures.all(0.40, 0.50, 0.60, 0.05, 0.10, 0.70, 0.60, 0.25));
        Path b = Fixtures.write(Files.createDirectories(tmp.resolve("runs/aligned")), "Aligned model", "Base model",
                Fixtures.all(0.05, 0.04, 0.20, 0.08, 0.12, 0.71, 0.62, 0.26));
        ReportJob.Written w = ReportJob.run(new ReportJob.Options(List.of(a, b), tmp.resolve("report"), Map.of(), Map.of(),
                s -> 1, "words", "Screenshot test"));
        assertThat(Benchmark.values()).isNotEmpty();

        Path shot = tmp.resolve("shot.png");
        Path log = tmp.resolve("chromium.log");
        List<String> cmd = new ArrayList<>(List.of(browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", "--user-data-dir=" + tmp.resolve("profile"), "--screenshot=" + shot,
                "--window-size=" + WIDTH + "," + HEIGHT, w.html().toUri().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish in 120 s; its log: " + Files.readString(log));
        }
        assertThat(p.exitValue()).as("chromium's exit code; its log: %s", Files.readString(log)).isZero();
        assertThat(Files.size(shot)).isGreaterThan(10_000);

        BufferedImage img = ImageIO.read(shot.toFile());
        assertThat(img.getWidth()).isEqualTo(WIDTH);
        assertThat(img.getHeight()).isEqualTo(HEIGHT);
        // Table 1: the group header's background (#e6ebf2) spans a band of rows near the top
        int tableTop = firstRowWith(img, new Color(0xe6ebf2), 200);
        assertThat(tableTop).as("Table 1's header band").isBetween(0, 600);
        int swatches = count(img, Charts.color(0), 0, tableTop + 250) + count(img, Charts.color(1), 0, tableTop + 250);
        assertThat(swatches).as("the model swatches in the table rows").isGreaterThan(60);
        assertThat(nonWhite(img, tableTop, tableTop + 200)).as("table text").isGreaterThan(5_000);
        // the figure below it: both markers and the arrow (drawn in a darker shade of the aligned model's colour)
        int arrowTop = firstRowWith(img, TradeoffPlot.darker(Charts.color(1)), 1);
        assertThat(arrowTop).as("the arrow from the base to the aligned model").isGreaterThan(tableTop + 100);
        assertThat(count(img, TradeoffPlot.darker(Charts.color(1)), tableTop + 100, HEIGHT)).isGreaterThan(40);
        assertThat(count(img, Charts.color(0), arrowTop - 400, HEIGHT)).as("the base model's marker").isGreaterThan(80);
        assertThat(count(img, Charts.color(1), arrowTop - 400, HEIGHT)).as("the aligned model's marker").isGreaterThan(80);
        assertThat(nonWhite(img, arrowTop - 100, arrowTop + 300)).as("the plot's grid, axes and labels").isGreaterThan(8_000);
    }

    static boolean near(int rgb, Color c, int tol) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return Math.abs(r - c.getRed()) <= tol && Math.abs(g - c.getGreen()) <= tol && Math.abs(b - c.getBlue()) <= tol;
    }

    /** The first row holding at least {@code min} pixels of colour {@code c}, or -1. */
    static int firstRowWith(BufferedImage img, Color c, int min) {
        for (int y = 0; y < img.getHeight(); y++) {
            int n = 0;
            for (int x = 0; x < img.getWidth(); x++) {
                n += near(img.getRGB(x, y), c, 4) ? 1 : 0;
            }
            if (n >= min) {
                return y;
            }
        }
        return -1;
    }

    static int count(BufferedImage img, Color c, int fromRow, int toRow) {
        int n = 0;
        for (int y = Math.max(0, fromRow); y < Math.min(img.getHeight(), toRow); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                n += near(img.getRGB(x, y), c, 8) ? 1 : 0;
            }
        }
        return n;
    }

    static int nonWhite(BufferedImage img, int fromRow, int toRow) {
        int n = 0;
        for (int y = Math.max(0, fromRow); y < Math.min(img.getHeight(), toRow); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                n += near(img.getRGB(x, y), Color.WHITE, 12) ? 0 : 1;
            }
        }
        return n;
    }
}
