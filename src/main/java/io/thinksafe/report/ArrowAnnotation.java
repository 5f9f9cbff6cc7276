package io.thinksafe.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import org.knowm.xchart.internal.chartpart.Annotation;

/**
 * An arrow between two points in data coordinates, drawn on the plot: from a model's initial
 * point to its aligned point in the trade-off figure. XChart has no arrow of its own; its
 * annotations map data to screen coordinates, so the head keeps its shape whatever the axis scales.
 * The tip stops short of the target marker so the marker stays visible.
 */
final class ArrowAnnotation extends Annotation {
    private final double x1;
    private final double y1;
    private final double x2;
    private final double y2;
    private final Color color;
    private final double gap;

    ArrowAnnotation(double x1, double y1, double x2, double y2, Color color, double gapPixels) {
        super(false);
        this.x1 = x1;
        this.y1 = y1;
        this.x2 = x2;
        this.y2 = y2;
        this.color = color;
        this.gap = gapPixels;
    }

    @Override
    public void paint(Graphics2D g) {
        if (!isVisible) {
            return;
        }
        double sx1 = getXAxisScreenValue(x1);
        double sy1 = getYAxisScreenValue(y1);
        double sx2 = getXAxisScreenValue(x2);
        double sy2 = getYAxisScreenValue(y2);
        double dx = sx2 - sx1;
        double dy = sy2 - sy1;
        double len = Math.hypot(dx, dy);
        if (len < 2 * gap + 4) {
            return; // the two points (nearly) coincide: no room for an arrow
        }
        double ux = dx / len;
        double uy = dy / len;
        double fromX = sx1 + ux * gap;
        double fromY = sy1 + uy * gap;
        double tipX = sx2 - ux * gap;
        double tipY = sy2 - uy * gap;
        double head = 12;
        double baseX = tipX - ux * head;
        double baseY = tipY - uy * head;
        g.setColor(color);
        g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(new Line2D.Double(fromX, fromY, baseX, baseY));
        Polygon p = new Polygon();
        p.addPoint((int) Math.round(tipX), (int) Math.round(tipY));
        p.addPoint((int) Math.round(baseX - uy * head * 0.5), (int) Math.round(baseY + ux * head * 0.5));
        p.addPoint((int) Math.round(baseX + uy * head * 0.5), (int) Math.round(baseY - ux * head * 0.5));
        g.fill(p);
        bounds = new Rectangle2D.Double(Math.min(sx1, sx2), Math.min(sy1, sy2), Math.abs(dx), Math.abs(dy));
    }
}
