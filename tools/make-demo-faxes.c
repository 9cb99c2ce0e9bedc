/* make-demo-faxes: writes synthetic cardiology referral packets for the demo
 *
 * Usage: make-demo-faxes OUTDIR
 *
 * The README's demo runs the daemon over a drop folder, and a fresh clone has
 * no sample corpus, so the samples are generated rather than committed.  The
 * packets come in the three shapes a fax gateway drops: a multi-page 1-bit
 * CCITT TIFF (fine 204x196 and standard 204x98), an image-only PDF whose
 * pages are G4 images, and a born-digital PDF with a text layer.
 *
 * Everything is invented: names, practices, phone and fax numbers (area code
 * 555), NPIs (random, but with a valid Luhn check digit so they pass
 * validation), MRNs.  ICD-10-CM codes are real codes.  Dates are fixed in
 * November 2026 and all variation comes from a seeded PRNG, so two runs give
 * byte-identical files.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <leptonica/allheaders.h>

/* Letter paper in PostScript points; fax pages are 1728 px wide (ITU-T T.4)
 * and 11 inches tall, so a letter page fits with 3 px lost at either edge */
#define DEMO_PAGE_W      612.0
#define DEMO_PAGE_H      792.0
#define DEMO_LEFT        54.0
#define DEMO_RIGHT       558.0
#define DEMO_FAX_COLUMNS 1728

#define DEMO_RECEIVED_YEAR  2026
#define DEMO_RECEIVED_MONTH 11

/* the cardiology practice that receives every packet */
#define DEMO_INTAKE_NAME  "Riverbend Heart Associates"
#define DEMO_INTAKE_FAX   "(555) 440-0100"
#define DEMO_INTAKE_PHONE "(555) 440-0101"

typedef enum {
	DEMO_PAGE_END = 0,
	DEMO_PAGE_COVER,
	DEMO_PAGE_FORM,
	DEMO_PAGE_NOTE,
	DEMO_PAGE_EKG,
	DEMO_PAGE_LABS,
	DEMO_PAGE_MEDS,
	DEMO_PAGE_ECHO,
} DemoPageKind;

typedef enum {
	DEMO_FORMAT_TIFF_FINE,
	DEMO_FORMAT_TIFF_STANDARD,
	DEMO_FORMAT_PDF_IMAGE,
	DEMO_FORMAT_PDF_TEXT,
} DemoFormat;

enum {
	DEMO_PANEL_BMP = 1 << 0,
	DEMO_PANEL_LIPID = 1 << 1,
	DEMO_PANEL_BNP = 1 << 2,
	DEMO_PANEL_CBC = 1 << 3,
	DEMO_PANEL_TSH = 1 << 4,
	DEMO_PANEL_A1C = 1 << 5,
};

typedef struct {
	const char *code;
	const char *desc;
} DemoDx;

typedef struct {
	const char *analyte;
	double value;
} DemoLabValue;

/* One referral packet: the hand-written clinical story.  Numbers that only
 * need to look plausible (NPI, phones, MRN, lab values, EKG intervals) come
 * from the PRNG seeded with @seed. */
typedef struct {
	const char *file;
	DemoFormat format;
	guint64 seed;
	int header_style;      /* 0..3: the sending machine's header line */
	int date_style;        /* 0 MM/DD/YYYY, 1 YYYY-MM-DD, 2 Mon DD, YYYY */
	const char *family;    /* body font */
	double skew;           /* degrees, raster pages only */
	int day, hour, minute; /* received, November 2026 */

	const char *pt_first, *pt_last, *pt_sex;
	int dob_y, dob_m, dob_d;
	gboolean pt_has_phone;
	const char *insurance;

	const char *ref_name, *ref_cred, *practice, *street, *city;
	const char *service, *urgency, *reason, *complaint;
	DemoDx dx[4];
	DemoPageKind pages[8];
	const char *to_follow; /* documents mentioned but not enclosed */
	const char *cover_message;

	const char *subjective, *objective, *assessment, *plan;

	guint panels;
	int lab_age_days;
	DemoLabValue lab_over[8];

	const char *allergies;
	const char *meds[8][3];

	int ekg_rate, ekg_age_days;
	gboolean ekg_afib;
	const char *ekg_interp[4];

	const char *echo_meas[7][3];
	const char *echo_findings, *echo_conclusion;
} DemoPacket;

/* Values derived at run time, shared by every page of one packet */
typedef struct {
	char npi[11];
	char ref_phone[16], ref_fax[16], pt_phone[16];
	char mrn[16], member_id[16];
	guint n_pages;
} DemoFacts;

typedef struct {
	guint64 state;
} DemoRng;

typedef struct {
	cairo_t *cr;         /* borrowed */
	gboolean vector;     /* PDF with a text layer: shades of gray allowed */
	const DemoPacket *p; /* borrowed */
	const DemoFacts *f;  /* borrowed */
	DemoRng rng;
} DemoCanvas;

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64, so output does not depend on the C library's rand() */

static guint32
demo_rng_next(DemoRng *r)
{
	guint64 z = (r->state += G_GUINT64_CONSTANT(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT(0x94d049bb133111eb);
	return (guint32)((z ^ (z >> 31)) >> 32);
}

static double
demo_rng_unit(DemoRng *r)
{
	return demo_rng_next(r) / 4294967296.0;
}

static int
demo_rng_range(DemoRng *r, int lo, int hi)
{
	return lo + (int)(demo_rng_next(r) % (guint32)(hi - lo + 1));
}

/* ------------------------------------------------------------------ */
/* Invented identifiers */

/* NPI check digit: Luhn over "80840" + the first nine digits (the card
 * issuer prefix of ISO 7812 that CMS prepends) */
static char
demo_npi_check_digit(const char *nine)
{
	char payload[15];
	int sum = 0;

	g_snprintf(payload, sizeof payload, "80840%s", nine);
	for (int i = 13, pos = 0; i >= 0; i--, pos++) {
		int d = payload[i] - '0';

		/* the check digit goes to the right, so the rightmost payload
		 * digit is the first one doubled */
		if (pos % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

static void
demo_make_npi(DemoRng *r, char ret_npi[11])
{
	ret_npi[0] = '1';
	for (int i = 1; i < 9; i++)
		ret_npi[i] = (char)('0' + demo_rng_range(r, 0, 9));
	ret_npi[9] = '\0';
	ret_npi[9] = demo_npi_check_digit(ret_npi);
	ret_npi[10] = '\0';
}

static void
demo_make_phone(DemoRng *r, char ret_phone[16])
{
	g_snprintf(ret_phone, 16, "(555) %d%02d-%04d", demo_rng_range(r, 2, 9),
		   demo_rng_range(r, 0, 99), demo_rng_range(r, 0, 9999));
}

/* "(555) 201-4470" -> "5552014470" */
static char *
demo_digits(const char *s)
{
	GString *out = g_string_new(NULL);

	for (; *s; s++)
		if (g_ascii_isdigit(*s))
			g_string_append_c(out, *s);
	return g_string_free(out, FALSE);
}

static const char *const demo_month_abbr[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static char *
demo_date_str(int style, int y, int m, int d)
{
	switch (style) {
	case 1:
		return g_strdup_printf("%04d-%02d-%02d", y, m, d);
	case 2:
		return g_strdup_printf("%s %d, %04d", demo_month_abbr[m - 1], d, y);
	default:
		return g_strdup_printf("%02d/%02d/%04d", m, d, y);
	}
}

/* The received day minus @days_before, formatted in the packet's style */
static char *
demo_date_before(const DemoPacket *p, int days_before)
{
	GDate *date = g_date_new_dmy((GDateDay)p->day, DEMO_RECEIVED_MONTH, DEMO_RECEIVED_YEAR);
	char *s;

	g_date_subtract_days(date, (guint)days_before);
	s = demo_date_str(p->date_style, g_date_get_year(date), g_date_get_month(date),
			  g_date_get_day(date));
	g_date_free(date);
	return s;
}

static char *
demo_dob_str(const DemoPacket *p)
{
	return demo_date_str(p->date_style, p->dob_y, p->dob_m, p->dob_d);
}

/* "Millbrook, OH 44017" -> "Millbrook" */
static char *
demo_town(const DemoPacket *p)
{
	const char *comma = strchr(p->city, ',');

	return comma ? g_strndup(p->city, (gsize)(comma - p->city)) : g_strdup(p->city);
}

static int
demo_age(const DemoPacket *p)
{
	int age = DEMO_RECEIVED_YEAR - p->dob_y;

	if (p->dob_m > DEMO_RECEIVED_MONTH ||
	    (p->dob_m == DEMO_RECEIVED_MONTH && p->dob_d > p->day))
		age--;
	return age;
}

static guint
demo_count_pages(const DemoPacket *p)
{
	guint n = 0;

	while (n < G_N_ELEMENTS(p->pages) && p->pages[n] != DEMO_PAGE_END)
		n++;
	return n;
}

static gboolean
demo_has_page(const DemoPacket *p, DemoPageKind kind)
{
	for (guint i = 0; i < demo_count_pages(p); i++)
		if (p->pages[i] == kind)
			return TRUE;
	return FALSE;
}

/* ------------------------------------------------------------------ */
/* Drawing helpers; all coordinates in points from the top left */

static void
demo_ink(DemoCanvas *c, double gray)
{
	/* a fax has no gray: anything drawn on a raster page is black */
	if (!c->vector)
		gray = 0.0;
	cairo_set_source_rgb(c->cr, gray, gray, gray);
}

static void
demo_font(DemoCanvas *c, const char *family, gboolean bold, double size)
{
	cairo_select_font_face(c->cr, family ? family : c->p->family, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(c->cr, size);
}

static double
demo_width(DemoCanvas *c, const char *s)
{
	cairo_text_extents_t ext;

	cairo_text_extents(c->cr, s, &ext);
	return ext.x_advance;
}

static double
demo_text(DemoCanvas *c, double x, double y, const char *s)
{
	cairo_move_to(c->cr, x, y);
	cairo_show_text(c->cr, s);
	return demo_width(c, s);
}

static double demo_textf(DemoCanvas *c, double x, double y, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

static double
demo_textf(DemoCanvas *c, double x, double y, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *s = NULL;

	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return demo_text(c, x, y, s);
}

static void
demo_text_right(DemoCanvas *c, double right, double y, const char *s)
{
	demo_text(c, right - demo_width(c, s), y, s);
}

static void
demo_text_center(DemoCanvas *c, double y, const char *s)
{
	demo_text(c, (DEMO_PAGE_W - demo_width(c, s)) / 2.0, y, s);
}

/* Word-wraps @s into the column [x, x + width]; returns the next baseline */
static double
demo_wrap(DemoCanvas *c, double x, double y, double width, double leading, const char *s)
{
	g_auto(GStrv) words = g_strsplit(s, " ", -1);
	g_autoptr(GString) line = g_string_new(NULL);

	for (guint i = 0; words[i]; i++) {
		g_autofree char *trial = NULL;

		if (words[i][0] == '\0')
			continue;
		trial = line->len ? g_strdup_printf("%s %s", line->str, words[i])
				  : g_strdup(words[i]);
		if (line->len && demo_width(c, trial) > width) {
			demo_text(c, x, y, line->str);
			y += leading;
			g_string_assign(line, words[i]);
		} else {
			g_string_assign(line, trial);
		}
	}
	if (line->len) {
		demo_text(c, x, y, line->str);
		y += leading;
	}
	return y;
}

static void
demo_rule(DemoCanvas *c, double x0, double x1, double y, double lw)
{
	cairo_set_line_width(c->cr, lw);
	cairo_move_to(c->cr, x0, y);
	cairo_line_to(c->cr, x1, y);
	cairo_stroke(c->cr);
}

static void
demo_box(DemoCanvas *c, double x, double y, double w, double h, double lw)
{
	cairo_set_line_width(c->cr, lw);
	cairo_rectangle(c->cr, x, y, w, h);
	cairo_stroke(c->cr);
}

/* A check box whose baseline is @y; returns its width including a gap */
static double
demo_checkbox(DemoCanvas *c, double x, double y, gboolean checked)
{
	const double s = 8.5;

	demo_box(c, x, y - s, s, s, 0.9);
	if (checked) {
		cairo_set_line_width(c->cr, 1.2);
		cairo_move_to(c->cr, x + 1.5, y - s + 1.5);
		cairo_line_to(c->cr, x + s - 1.5, y - 1.5);
		cairo_move_to(c->cr, x + s - 1.5, y - s + 1.5);
		cairo_line_to(c->cr, x + 1.5, y - 1.5);
		cairo_stroke(c->cr);
	}
	return s + 4.0;
}

/* "Label: value" with the label in bold; returns the next x */
static double
demo_field(DemoCanvas *c, double x, double y, double size, const char *label, const char *value)
{
	demo_font(c, NULL, TRUE, size);
	x += demo_text(c, x, y, label);
	demo_font(c, NULL, FALSE, size);
	x += demo_text(c, x + 4.0, y, value ? value : "");
	return x + 4.0;
}

/* The referring practice's letterhead; returns the next baseline */
static double
demo_letterhead(DemoCanvas *c, double y)
{
	const DemoPacket *p = c->p;

	demo_font(c, NULL, TRUE, 15.0);
	demo_text(c, DEMO_LEFT, y, p->practice);
	y += 15.0;
	demo_font(c, NULL, FALSE, 10.0);
	demo_textf(c, DEMO_LEFT, y, "%s, %s", p->street, p->city);
	y += 13.0;
	demo_textf(c, DEMO_LEFT, y, "Phone %s    Fax %s", c->f->ref_phone, c->f->ref_fax);
	y += 8.0;
	demo_rule(c, DEMO_LEFT, DEMO_RIGHT, y, 1.2);
	return y + 22.0;
}

/* Patient identification block repeated on enclosed documents */
static double
demo_patient_line(DemoCanvas *c, double y)
{
	const DemoPacket *p = c->p;
	g_autofree char *name = g_strdup_printf("%s, %s", p->pt_last, p->pt_first);
	g_autofree char *dob = demo_dob_str(p);
	double x;

	x = demo_field(c, DEMO_LEFT, y, 10.5, "Patient:", name);
	x = demo_field(c, MAX(x + 14.0, 250.0), y, 10.5, "DOB:", dob);
	demo_field(c, MAX(x + 14.0, 390.0), y, 10.5, "MRN:", c->f->mrn);
	return y + 15.0;
}

/* ------------------------------------------------------------------ */
/* The header line the sending fax machine prints on top of every page */

static void
demo_fax_header(DemoCanvas *c, guint index, guint n)
{
	const DemoPacket *p = c->p;
	g_autofree char *fax_digits = demo_digits(c->f->ref_fax);
	g_autofree char *upper = g_ascii_strup(p->practice, -1);
	g_autofree char *line = NULL;
	/* machines stamp each page as it is sent */
	int minute = p->minute + (int)index / 2;
	int hour = p->hour + minute / 60;
	int hour12 = hour % 12 == 0 ? 12 : hour % 12;

	minute %= 60;
	switch (p->header_style) {
	case 0:
		line = g_strdup_printf("NOV-%02d-%04d %02d:%02d   FROM: %.24s   %s   TO: %s"
				       "     PAGE %u OF %u",
				       p->day, DEMO_RECEIVED_YEAR, hour, minute, upper, fax_digits,
				       "5554400100", index + 1, n);
		break;
	case 1:
		line = g_strdup_printf(
			"%02d/%02d/%04d  %d:%02d %s   FAX %s   %s          Page %u of %u",
			DEMO_RECEIVED_MONTH, p->day, DEMO_RECEIVED_YEAR, hour12, minute,
			hour < 12 ? "AM" : "PM", c->f->ref_fax, p->practice, index + 1, n);
		break;
	case 2:
		line = g_strdup_printf("Nov %02d %04d %02d:%02d%s   From: %s   To: %s"
				       "          Page %u of %u",
				       p->day, DEMO_RECEIVED_YEAR, hour12, minute,
				       hour < 12 ? "am" : "pm", c->f->ref_fax, DEMO_INTAKE_FAX,
				       index + 1, n);
		break;
	default:
		line = g_strdup_printf(
			"%04d-%02d-%02d %02d:%02d EST   Sent by eFax from +1 %s to +1 %s"
			"   Page %u of %u",
			DEMO_RECEIVED_YEAR, DEMO_RECEIVED_MONTH, p->day, hour, minute,
			c->f->ref_fax, DEMO_INTAKE_FAX, index + 1, n);
		break;
	}
	demo_ink(c, 0.0);
	demo_font(c, p->header_style == 3 ? "DejaVu Sans" : "DejaVu Sans Mono", FALSE, 8.5);
	demo_text(c, 22.0, 16.0, line);
}

/* ------------------------------------------------------------------ */
/* Pages */

static void
demo_page_cover(DemoCanvas *c)
{
	const DemoPacket *p = c->p;
	g_autofree char *date = demo_date_before(p, 0);
	g_autofree char *pages = g_strdup_printf("%u (including cover)", c->f->n_pages);
	g_autofree char *from = g_strdup_printf("%s, %s", p->ref_name, p->ref_cred);
	struct {
		const char *label, *value;
	} rows[] = {
		{ "To:", DEMO_INTAKE_NAME " - New Patient Referrals" },
		{ "Fax:", DEMO_INTAKE_FAX },
		{ "Phone:", DEMO_INTAKE_PHONE },
		{ "From:", from },
		{ "Practice:", p->practice },
		{ "Fax:", c->f->ref_fax },
		{ "Phone:", c->f->ref_phone },
		{ "Date:", date },
		{ "Pages:", pages },
		{ "Re:", "Cardiology referral" },
	};
	double y = demo_letterhead(c, 60.0);
	double x;

	demo_font(c, NULL, TRUE, 36.0);
	demo_text(c, DEMO_LEFT, y + 28.0, "FAX");
	y += 70.0;
	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		demo_font(c, NULL, TRUE, 12.0);
		demo_text(c, DEMO_LEFT, y, rows[i].label);
		demo_font(c, NULL, FALSE, 12.0);
		demo_text(c, DEMO_LEFT + 80.0, y, rows[i].value);
		demo_rule(c, DEMO_LEFT + 76.0, DEMO_RIGHT, y + 4.0, 0.5);
		y += 22.0;
	}
	y += 12.0;
	demo_font(c, NULL, FALSE, 10.5);
	x = DEMO_LEFT;
	x += demo_checkbox(c, x, y, g_strcmp0(p->urgency, "Routine") != 0);
	x += demo_text(c, x, y, "Urgent") + 20.0;
	x += demo_checkbox(c, x, y, TRUE);
	x += demo_text(c, x, y, "For review") + 20.0;
	x += demo_checkbox(c, x, y, TRUE);
	demo_text(c, x, y, "Please reply");
	y += 30.0;
	demo_font(c, NULL, TRUE, 11.0);
	demo_text(c, DEMO_LEFT, y, "Message:");
	demo_font(c, NULL, FALSE, 11.0);
	y = demo_wrap(c, DEMO_LEFT, y + 16.0, DEMO_RIGHT - DEMO_LEFT, 15.0, p->cover_message);

	demo_font(c, NULL, TRUE, 9.0);
	demo_text(c, DEMO_LEFT, 690.0, "CONFIDENTIALITY NOTICE");
	demo_font(c, NULL, FALSE, 9.0);
	demo_wrap(
		c, DEMO_LEFT, 703.0, DEMO_RIGHT - DEMO_LEFT, 11.5,
		"This facsimile contains protected health information that is privileged and "
		"confidential. If you are not the intended recipient, any review, disclosure or "
		"distribution is prohibited. Please notify the sender by telephone and destroy all "
		"copies of the original message.");
}

static double
demo_form_section(DemoCanvas *c, double y, const char *title)
{
	demo_font(c, NULL, TRUE, 11.0);
	demo_text(c, DEMO_LEFT + 4.0, y, title);
	demo_rule(c, DEMO_LEFT, DEMO_RIGHT, y + 4.0, 0.8);
	return y + 20.0;
}

static void
demo_page_form(DemoCanvas *c)
{
	const DemoPacket *p = c->p;
	const DemoFacts *f = c->f;
	g_autofree char *dob = demo_dob_str(p);
	g_autofree char *name = g_strdup_printf("%s %s", p->pt_first, p->pt_last);
	g_autofree char *clinician = g_strdup_printf("%s, %s", p->ref_name, p->ref_cred);
	g_autofree char *signed_on = demo_date_before(p, 1);
	const char *urgencies[] = { "Routine", "Urgent", "STAT" };
	const struct {
		const char *label;
		DemoPageKind kind;
	} enclosed[] = {
		{ "Office note", DEMO_PAGE_NOTE },
		{ "EKG", DEMO_PAGE_EKG },
		{ "Labs", DEMO_PAGE_LABS },
		{ "Echo", DEMO_PAGE_ECHO },
		{ "Medication list", DEMO_PAGE_MEDS },
	};
	double y = demo_letterhead(c, 60.0);
	double top, x;

	demo_font(c, NULL, TRUE, 16.0);
	demo_text_center(c, y + 4.0, "CARDIOLOGY REFERRAL REQUEST");
	y += 30.0;

	top = y - 14.0;
	y = demo_form_section(c, y, "PATIENT INFORMATION");
	x = demo_field(c, DEMO_LEFT + 6.0, y, 10.5, "Patient name:", name);
	demo_field(c, MAX(x + 16.0, 330.0), y, 10.5, "DOB:", dob);
	y += 17.0;
	x = demo_field(c, DEMO_LEFT + 6.0, y, 10.5, "Sex:", p->pt_sex);
	x = demo_field(c, MAX(x + 16.0, 160.0), y, 10.5,
		       "Phone:", p->pt_has_phone ? f->pt_phone : "");
	demo_field(c, MAX(x + 16.0, 330.0), y, 10.5, "MRN:", f->mrn);
	y += 17.0;
	x = demo_field(c, DEMO_LEFT + 6.0, y, 10.5, "Insurance:", p->insurance);
	demo_field(c, MAX(x + 16.0, 330.0), y, 10.5, "Member ID:", f->member_id);
	y += 26.0;

	y = demo_form_section(c, y, "REFERRING PROVIDER");
	x = demo_field(c, DEMO_LEFT + 6.0, y, 10.5, "Referring clinician:", clinician);
	demo_field(c, MAX(x + 16.0, 370.0), y, 10.5, "NPI:", f->npi);
	y += 17.0;
	demo_field(c, DEMO_LEFT + 6.0, y, 10.5, "Practice:", p->practice);
	y += 17.0;
	demo_field(c, DEMO_LEFT + 6.0, y, 10.5, "Address:", p->street);
	demo_text(c, DEMO_LEFT + 6.0 + 58.0, y + 14.0, p->city);
	y += 31.0;
	x = demo_field(c, DEMO_LEFT + 6.0, y, 10.5, "Phone:", f->ref_phone);
	demo_field(c, MAX(x + 16.0, 260.0), y, 10.5, "Fax:", f->ref_fax);
	y += 26.0;

	y = demo_form_section(c, y, "REFERRAL");
	demo_field(c, DEMO_LEFT + 6.0, y, 10.5, "Refer to:", DEMO_INTAKE_NAME " - Cardiology");
	y += 17.0;
	demo_field(c, DEMO_LEFT + 6.0, y, 10.5, "Requested service:", p->service);
	y += 17.0;
	demo_font(c, NULL, TRUE, 10.5);
	x = DEMO_LEFT + 6.0 + demo_text(c, DEMO_LEFT + 6.0, y, "Urgency:") + 10.0;
	demo_font(c, NULL, FALSE, 10.5);
	for (guint i = 0; i < G_N_ELEMENTS(urgencies); i++) {
		x += demo_checkbox(c, x, y, g_strcmp0(p->urgency, urgencies[i]) == 0);
		x += demo_text(c, x, y, urgencies[i]) + 18.0;
	}
	y += 19.0;
	demo_font(c, NULL, TRUE, 10.5);
	demo_text(c, DEMO_LEFT + 6.0, y, "Reason for referral:");
	demo_font(c, NULL, FALSE, 10.5);
	y = demo_wrap(c, DEMO_LEFT + 6.0, y + 14.0, DEMO_RIGHT - DEMO_LEFT - 12.0, 13.5, p->reason);
	y += 4.0;
	demo_font(c, NULL, TRUE, 10.5);
	demo_text(c, DEMO_LEFT + 6.0, y, "Diagnoses (ICD-10-CM):");
	y += 14.0;
	demo_font(c, NULL, FALSE, 10.5);
	for (guint i = 0; i < G_N_ELEMENTS(p->dx) && p->dx[i].code; i++) {
		demo_text(c, DEMO_LEFT + 16.0, y, p->dx[i].code);
		demo_text(c, DEMO_LEFT + 76.0, y, p->dx[i].desc);
		y += 14.0;
	}
	y += 6.0;
	demo_font(c, NULL, TRUE, 10.5);
	x = DEMO_LEFT + 6.0 + demo_text(c, DEMO_LEFT + 6.0, y, "Enclosed:") + 10.0;
	demo_font(c, NULL, FALSE, 10.5);
	for (guint i = 0; i < G_N_ELEMENTS(enclosed); i++) {
		x += demo_checkbox(c, x, y, demo_has_page(p, enclosed[i].kind));
		x += demo_text(c, x, y, enclosed[i].label) + 14.0;
	}
	y += 17.0;
	if (p->to_follow) {
		demo_field(c, DEMO_LEFT + 6.0, y, 10.5, "To follow:", p->to_follow);
		y += 17.0;
	}
	demo_box(c, DEMO_LEFT - 4.0, top, DEMO_RIGHT - DEMO_LEFT + 8.0, y - top, 1.0);

	y += 26.0;
	demo_font(c, NULL, FALSE, 10.5);
	demo_textf(c, DEMO_LEFT, y, "Electronically signed by %s on %s", clinician, signed_on);
	demo_rule(c, DEMO_LEFT, DEMO_LEFT + 250.0, y + 24.0, 0.6);
	demo_font(c, NULL, FALSE, 9.0);
	demo_text(c, DEMO_LEFT, y + 35.0, "Referring clinician signature");
}

static double
demo_heading(DemoCanvas *c, double y, const char *title)
{
	g_autofree char *text = NULL;

	/* practices differ: "SUBJECTIVE" or "Subjective:" */
	if (c->p->header_style % 2 == 0)
		text = g_ascii_strup(title, -1);
	else
		text = g_strdup_printf("%s:", title);
	demo_font(c, NULL, TRUE, 11.5);
	demo_text(c, DEMO_LEFT, y, text);
	return y + 15.0;
}

static void
demo_page_note(DemoCanvas *c)
{
	const DemoPacket *p = c->p;
	g_autofree char *dos = demo_date_before(p, 1);
	g_autofree char *clinician = g_strdup_printf("%s, %s", p->ref_name, p->ref_cred);
	const double width = DEMO_RIGHT - DEMO_LEFT;
	double y = demo_letterhead(c, 60.0);
	double x;

	demo_font(c, NULL, TRUE, 14.0);
	demo_text(c, DEMO_LEFT, y, p->header_style % 2 ? "Progress Note" : "OFFICE VISIT NOTE");
	y += 20.0;
	y = demo_patient_line(c, y);
	x = demo_field(c, DEMO_LEFT, y, 10.5, "Date of service:", dos);
	demo_field(c, MAX(x + 14.0, 250.0), y, 10.5, "Provider:", clinician);
	y += 15.0;
	demo_field(c, DEMO_LEFT, y, 10.5, "Chief complaint:", p->complaint);
	y += 24.0;

	y = demo_heading(c, y, "Subjective");
	demo_font(c, NULL, FALSE, 11.0);
	y = demo_wrap(c, DEMO_LEFT, y, width, 14.5, p->subjective) + 8.0;
	y = demo_heading(c, y, "Objective");
	demo_font(c, NULL, FALSE, 11.0);
	y = demo_wrap(c, DEMO_LEFT, y, width, 14.5, p->objective) + 8.0;
	y = demo_heading(c, y, "Assessment");
	demo_font(c, NULL, FALSE, 11.0);
	y = demo_wrap(c, DEMO_LEFT, y, width, 14.5, p->assessment) + 8.0;
	y = demo_heading(c, y, "Plan");
	demo_font(c, NULL, FALSE, 11.0);
	y = demo_wrap(c, DEMO_LEFT, y, width, 14.5, p->plan) + 20.0;

	demo_font(c, NULL, FALSE, 10.0);
	demo_textf(c, DEMO_LEFT, MAX(y, 700.0), "Electronically signed: %s   NPI %s   %s",
		   clinician, c->f->npi, dos);
}

/* ---- 12-lead EKG ---- */

typedef struct {
	double p, q, r, s, t; /* wave amplitudes in mV */
} DemoLeadAmp;

/* roughly a normal axis; aVR is mostly negative, V1 mostly S */
static const DemoLeadAmp demo_leads[12] = {
	{ 0.10, 0.05, 0.70, 0.10, 0.20 },  { 0.15, 0.05, 1.10, 0.20, 0.30 },
	{ 0.05, 0.05, 0.45, 0.25, 0.10 },  { -0.10, 0.00, 0.15, 0.80, -0.20 },
	{ 0.05, 0.05, 0.35, 0.20, 0.10 },  { 0.10, 0.05, 0.75, 0.15, 0.20 },
	{ 0.05, 0.00, 0.20, 1.00, -0.10 }, { 0.08, 0.00, 0.40, 1.20, 0.30 },
	{ 0.08, 0.00, 0.80, 0.80, 0.40 },  { 0.10, 0.05, 1.30, 0.40, 0.40 },
	{ 0.10, 0.08, 1.20, 0.20, 0.30 },  { 0.10, 0.08, 0.90, 0.10, 0.20 },
};
static const char *const demo_lead_names[12] = {
	"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6",
};

typedef struct {
	double beats[96]; /* R-peak times in seconds */
	guint n_beats;
	double pr, qrs, qt; /* seconds */
	gboolean afib;
} DemoRhythm;

static double
demo_gauss(double x, double mu, double sigma)
{
	double d = (x - mu) / sigma;

	return exp(-0.5 * d * d);
}

static double
demo_ekg_value(const DemoRhythm *rh, guint lead, double t)
{
	const DemoLeadAmp *a = &demo_leads[lead];
	/* baseline wander, and fibrillatory waves when there is no P wave */
	double v = 0.03 * sin(2.0 * G_PI * 0.3 * t + lead);

	if (rh->afib)
		v += 0.04 * sin(2.0 * G_PI * 6.1 * t + 0.7 * lead) +
		     0.03 * sin(2.0 * G_PI * 8.3 * t);
	for (guint i = 0; i < rh->n_beats; i++) {
		double dt = t - rh->beats[i];

		if (dt < -0.4 || dt > 0.7)
			continue;
		if (!rh->afib)
			v += a->p * demo_gauss(dt, -rh->pr + 0.06, 0.022);
		v -= a->q * demo_gauss(dt, -rh->qrs * 0.35, 0.008);
		v += a->r * demo_gauss(dt, 0.0, rh->qrs * 0.12);
		v -= a->s * demo_gauss(dt, rh->qrs * 0.40, rh->qrs * 0.12);
		v += a->t * demo_gauss(dt, rh->qt - 0.14, 0.045);
	}
	return v;
}

static void
demo_page_ekg(DemoCanvas *c)
{
	const DemoPacket *p = c->p;
	g_autofree char *dob = demo_dob_str(p);
	GDate *acq = g_date_new_dmy((GDateDay)p->day, DEMO_RECEIVED_MONTH, DEMO_RECEIVED_YEAR);
	const double x0 = 48.0, x1 = 568.0, grid_top = 262.0;
	const double per_sec = (x1 - x0) / 10.0; /* 10 s across the page */
	const double box = per_sec * 0.2;        /* large box: 0.2 s, 0.5 mV */
	const double per_mv = 2.0 * box;
	const double row_h = 10.0 * box;
	DemoRhythm rh = { .afib = p->ekg_afib };
	double rr = 60.0 / p->ekg_rate, t, qtc;
	int axis_p, axis_r, axis_t, ms_qt;
	char acq_str[64];
	double y = 58.0;

	/* beat times first: the 12 leads are simultaneous, so every lead
	 * reads the same rhythm */
	rh.pr = demo_rng_range(&c->rng, 140, 196) / 1000.0;
	rh.qrs = demo_rng_range(&c->rng, 84, 112) / 1000.0;
	ms_qt = (int)(1000.0 * (0.40 * sqrt(rr)) + demo_rng_range(&c->rng, -12, 24));
	rh.qt = ms_qt / 1000.0;
	for (t = 0.12 + 0.3 * demo_rng_unit(&c->rng);
	     t < 10.4 && rh.n_beats < G_N_ELEMENTS(rh.beats);) {
		rh.beats[rh.n_beats++] = t;
		if (rh.afib)
			t += rr * (0.65 + 0.7 * demo_rng_unit(&c->rng));
		else
			t += rr * (0.98 + 0.04 * demo_rng_unit(&c->rng));
	}
	qtc = ms_qt / sqrt(rr);
	axis_p = demo_rng_range(&c->rng, 30, 70);
	axis_r = demo_rng_range(&c->rng, -20, 70);
	axis_t = demo_rng_range(&c->rng, 20, 70);

	g_date_subtract_days(acq, (guint)p->ekg_age_days);
	g_snprintf(acq_str, sizeof acq_str, "%02d-%s-%04d %02d:%02d:%02d", g_date_get_day(acq),
		   demo_month_abbr[g_date_get_month(acq) - 1], g_date_get_year(acq),
		   demo_rng_range(&c->rng, 8, 11), demo_rng_range(&c->rng, 0, 59),
		   demo_rng_range(&c->rng, 0, 59));
	g_date_free(acq);

	/* machine header */
	demo_ink(c, 0.0);
	demo_font(c, NULL, TRUE, 12.0);
	demo_textf(c, x0, y, "%s, %s", p->pt_last, p->pt_first);
	demo_font(c, NULL, FALSE, 10.5);
	demo_textf(c, 250.0, y, "ID: %s", c->f->mrn);
	demo_text_right(c, x1, y, acq_str);
	y += 15.0;
	demo_textf(c, x0, y, "DOB: %s (%d yr)   Sex: %s   Loc: %s", dob, demo_age(p), p->pt_sex,
		   p->practice);
	y += 24.0;
	demo_font(c, NULL, FALSE, 11.0);
	{
		const double vx = x0 + 96.0;
		double yy = y;

		demo_text(c, x0, yy, "Vent. rate");
		demo_textf(c, vx, yy, "%d BPM", p->ekg_rate);
		yy += 15.0;
		demo_text(c, x0, yy, "PR interval");
		if (rh.afib)
			demo_text(c, vx, yy, "* ms");
		else
			demo_textf(c, vx, yy, "%d ms", (int)lround(rh.pr * 1000.0));
		yy += 15.0;
		demo_text(c, x0, yy, "QRS duration");
		demo_textf(c, vx, yy, "%d ms", (int)lround(rh.qrs * 1000.0));
		yy += 15.0;
		demo_text(c, x0, yy, "QT/QTc");
		demo_textf(c, vx, yy, "%d/%d ms", ms_qt, (int)lround(qtc));
		yy += 15.0;
		demo_text(c, x0, yy, "P-R-T axes");
		if (rh.afib)
			demo_textf(c, vx, yy, "* %d %d", axis_r, axis_t);
		else
			demo_textf(c, vx, yy, "%d %d %d", axis_p, axis_r, axis_t);
	}
	demo_font(c, NULL, TRUE, 11.0);
	for (guint i = 0; i < G_N_ELEMENTS(p->ekg_interp) && p->ekg_interp[i]; i++)
		demo_text(c, 270.0, y + 15.0 * i, p->ekg_interp[i]);
	y += 5 * 15.0 + 8.0;
	demo_font(c, NULL, FALSE, 10.0);
	demo_textf(c, x0, y, "Referred by: %s, %s      Unconfirmed", p->ref_name, p->ref_cred);

	/* grid: fine gray lines in a PDF; a fax only keeps a dotted
	 * large-box grid, which is also what a thresholded scan looks like */
	cairo_save(c->cr);
	if (c->vector) {
		demo_ink(c, 0.82);
		cairo_set_line_width(c->cr, 0.25);
		for (double gx = x0; gx <= x1 + 0.01; gx += box / 5.0) {
			cairo_move_to(c->cr, gx, grid_top);
			cairo_line_to(c->cr, gx, grid_top + 4.0 * row_h);
		}
		for (double gy = grid_top; gy <= grid_top + 4.0 * row_h + 0.01; gy += box / 5.0) {
			cairo_move_to(c->cr, x0, gy);
			cairo_line_to(c->cr, x1, gy);
		}
		cairo_stroke(c->cr);
		demo_ink(c, 0.55);
		cairo_set_line_width(c->cr, 0.6);
	} else {
		const double dash[] = { 0.7, 2.2 };

		demo_ink(c, 0.0);
		cairo_set_dash(c->cr, dash, G_N_ELEMENTS(dash), 0.0);
		cairo_set_line_width(c->cr, 0.5);
	}
	for (double gx = x0; gx <= x1 + 0.01; gx += box) {
		cairo_move_to(c->cr, gx, grid_top);
		cairo_line_to(c->cr, gx, grid_top + 4.0 * row_h);
	}
	for (double gy = grid_top; gy <= grid_top + 4.0 * row_h + 0.01; gy += box) {
		cairo_move_to(c->cr, x0, gy);
		cairo_line_to(c->cr, x1, gy);
	}
	cairo_stroke(c->cr);
	cairo_restore(c->cr);

	/* traces: 3 rows x 4 columns of 2.5 s, then a 10 s rhythm strip of II */
	demo_ink(c, 0.0);
	cairo_set_line_width(c->cr, 0.9);
	cairo_set_line_join(c->cr, CAIRO_LINE_JOIN_ROUND);
	for (guint row = 0; row < 4; row++) {
		double base = grid_top + row * row_h + 0.6 * row_h;

		/* 1 mV calibration pulse in the margin */
		cairo_move_to(c->cr, x0 - 16.0, base);
		cairo_line_to(c->cr, x0 - 13.0, base);
		cairo_line_to(c->cr, x0 - 13.0, base - per_mv);
		cairo_line_to(c->cr, x0 - 5.0, base - per_mv);
		cairo_line_to(c->cr, x0 - 5.0, base);
		cairo_line_to(c->cr, x0 - 2.0, base);
		cairo_stroke(c->cr);
		for (guint col = 0; col < 4; col++) {
			guint lead = row == 3 ? 1 : col * 3 + row;
			double t0 = row == 3 ? 0.0 : col * 2.5;
			double t1 = row == 3 ? 10.0 : t0 + 2.5;

			if (row == 3 && col > 0)
				break;
			for (double tt = t0; tt <= t1 + 1e-9; tt += 0.004) {
				double px = x0 + tt * per_sec;
				double py = base - per_mv * demo_ekg_value(&rh, lead, tt);

				if (tt == t0)
					cairo_move_to(c->cr, px, py);
				else
					cairo_line_to(c->cr, px, py);
			}
			cairo_stroke(c->cr);
			demo_font(c, NULL, TRUE, 10.0);
			demo_text(c, x0 + t0 * per_sec + 4.0, grid_top + row * row_h + 13.0,
				  demo_lead_names[lead]);
			if (col > 0) {
				/* lead change marker */
				cairo_set_line_width(c->cr, 0.9);
				cairo_move_to(c->cr, x0 + t0 * per_sec, base - 8.0);
				cairo_line_to(c->cr, x0 + t0 * per_sec, base + 8.0);
				cairo_stroke(c->cr);
			}
		}
	}
	demo_font(c, NULL, FALSE, 9.5);
	demo_text(c, x0, grid_top + 4.0 * row_h + 16.0,
		  "25 mm/s   10 mm/mV   0.05-150 Hz   60 Hz notch   12 SL   CardioScribe 7");
}

/* ---- labs ---- */

typedef struct {
	guint panel;
	const char *analyte;
	double lo, hi;         /* reference range; NAN for an open end */
	double typ_lo, typ_hi; /* where the PRNG draws unflagged values */
	int decimals;
	const char *units;
} DemoAnalyte;

static const DemoAnalyte demo_analytes[] = {
	{ DEMO_PANEL_BMP, "Sodium", 135, 145, 136, 143, 0, "mmol/L" },
	{ DEMO_PANEL_BMP, "Potassium", 3.5, 5.1, 3.7, 4.8, 1, "mmol/L" },
	{ DEMO_PANEL_BMP, "Chloride", 98, 107, 99, 106, 0, "mmol/L" },
	{ DEMO_PANEL_BMP, "CO2", 22, 29, 23, 28, 0, "mmol/L" },
	{ DEMO_PANEL_BMP, "BUN", 7, 20, 9, 19, 0, "mg/dL" },
	{ DEMO_PANEL_BMP, "Creatinine", 0.60, 1.30, 0.70, 1.10, 2, "mg/dL" },
	{ DEMO_PANEL_BMP, "eGFR", 60, NAN, 64, 95, 0, "mL/min/1.73m2" },
	{ DEMO_PANEL_BMP, "Glucose", 70, 99, 78, 98, 0, "mg/dL" },
	{ DEMO_PANEL_BMP, "Calcium", 8.6, 10.3, 8.8, 10.0, 1, "mg/dL" },
	{ DEMO_PANEL_LIPID, "Cholesterol, total", NAN, 200, 150, 195, 0, "mg/dL" },
	{ DEMO_PANEL_LIPID, "LDL cholesterol (calc)", NAN, 100, 70, 98, 0, "mg/dL" },
	{ DEMO_PANEL_LIPID, "HDL cholesterol", 40, NAN, 42, 65, 0, "mg/dL" },
	{ DEMO_PANEL_LIPID, "Triglycerides", NAN, 150, 80, 145, 0, "mg/dL" },
	{ DEMO_PANEL_BNP, "BNP", NAN, 100, 20, 90, 0, "pg/mL" },
	{ DEMO_PANEL_CBC, "WBC", 4.0, 11.0, 5.0, 9.5, 1, "x10^3/uL" },
	{ DEMO_PANEL_CBC, "Hemoglobin", 12.0, 16.0, 12.5, 15.5, 1, "g/dL" },
	{ DEMO_PANEL_CBC, "Hematocrit", 36, 46, 37, 45, 1, "%" },
	{ DEMO_PANEL_CBC, "Platelets", 150, 400, 180, 360, 0, "x10^3/uL" },
	{ DEMO_PANEL_TSH, "TSH", 0.40, 4.00, 0.80, 3.20, 2, "mIU/L" },
	{ DEMO_PANEL_A1C, "Hemoglobin A1c", NAN, 5.7, 4.9, 5.6, 1, "%" },
};

static const struct {
	guint panel;
	const char *title;
} demo_panels[] = {
	{ DEMO_PANEL_BMP, "BASIC METABOLIC PANEL (BMP)" },
	{ DEMO_PANEL_LIPID, "LIPID PANEL (FASTING)" },
	{ DEMO_PANEL_BNP, "B-TYPE NATRIURETIC PEPTIDE" },
	{ DEMO_PANEL_CBC, "COMPLETE BLOOD COUNT (CBC)" },
	{ DEMO_PANEL_TSH, "THYROID STIMULATING HORMONE" },
	{ DEMO_PANEL_A1C, "HEMOGLOBIN A1C" },
};

static char *
demo_range_str(const DemoAnalyte *a)
{
	if (isnan(a->lo))
		return g_strdup_printf("<%.*f", a->decimals, a->hi);
	if (isnan(a->hi))
		return g_strdup_printf(">%.*f", a->decimals, a->lo);
	return g_strdup_printf("%.*f-%.*f", a->decimals, a->lo, a->decimals, a->hi);
}

static void
demo_page_labs(DemoCanvas *c)
{
	const DemoPacket *p = c->p;
	g_autofree char *collected = demo_date_before(p, p->lab_age_days);
	g_autofree char *clinician = g_strdup_printf("%s, %s", p->ref_name, p->ref_cred);
	g_autofree char *town = demo_town(p);
	const double cx[] = { DEMO_LEFT, 262.0, 330.0, 370.0, 462.0 };
	double y = 60.0, x;

	demo_font(c, NULL, TRUE, 15.0);
	demo_textf(c, DEMO_LEFT, y, "%s Regional Laboratory", town);
	demo_font(c, NULL, FALSE, 10.0);
	demo_text_right(c, DEMO_RIGHT, y, "Client: Outpatient");
	y += 14.0;
	demo_textf(c, DEMO_LEFT, y, "1200 Foundry Road, %s   Phone (555) 318-0400", p->city);
	y += 8.0;
	demo_rule(c, DEMO_LEFT, DEMO_RIGHT, y, 1.2);
	y += 22.0;
	demo_font(c, NULL, TRUE, 14.0);
	demo_text(c, DEMO_LEFT, y, "LABORATORY REPORT");
	y += 20.0;
	y = demo_patient_line(c, y);
	x = demo_field(c, DEMO_LEFT, y, 10.5, "Sex:", p->pt_sex);
	demo_field(c, MAX(x + 14.0, 250.0), y, 10.5, "Ordering provider:", clinician);
	y += 15.0;
	x = demo_field(c, DEMO_LEFT, y, 10.5, "Collection date:", collected);
	demo_field(c, MAX(x + 14.0, 250.0), y, 10.5,
		   "Time:", "07:40   Specimen: serum / whole blood");
	y += 15.0;
	demo_field(c, DEMO_LEFT, y, 10.5, "Report status:", "FINAL");
	y += 24.0;

	demo_font(c, NULL, TRUE, 10.5);
	demo_text(c, cx[0], y, "Test");
	demo_text(c, cx[1], y, "Result");
	demo_text(c, cx[2], y, "Flag");
	demo_text(c, cx[3], y, "Units");
	demo_text(c, cx[4], y, "Reference Range");
	demo_rule(c, DEMO_LEFT, DEMO_RIGHT, y + 5.0, 0.8);
	y += 22.0;

	for (guint k = 0; k < G_N_ELEMENTS(demo_panels); k++) {
		if (!(p->panels & demo_panels[k].panel))
			continue;
		demo_font(c, NULL, TRUE, 10.5);
		demo_text(c, cx[0], y, demo_panels[k].title);
		y += 15.0;
		demo_font(c, NULL, FALSE, 10.5);
		for (guint i = 0; i < G_N_ELEMENTS(demo_analytes); i++) {
			const DemoAnalyte *a = &demo_analytes[i];
			double v = a->typ_lo + (a->typ_hi - a->typ_lo) * demo_rng_unit(&c->rng);
			g_autofree char *range = demo_range_str(a);
			const char *flag = "";

			if (a->panel != demo_panels[k].panel)
				continue;
			for (guint j = 0; j < G_N_ELEMENTS(p->lab_over) && p->lab_over[j].analyte;
			     j++)
				if (g_str_has_prefix(a->analyte, p->lab_over[j].analyte))
					v = p->lab_over[j].value;
			if (!isnan(a->lo) && v < a->lo)
				flag = "L";
			else if (!isnan(a->hi) && v > a->hi)
				flag = "H";
			demo_text(c, cx[0] + 12.0, y, a->analyte);
			demo_textf(c, cx[1], y, "%.*f", a->decimals, v);
			demo_text(c, cx[2] + 6.0, y, flag);
			demo_text(c, cx[3], y, a->units);
			demo_text(c, cx[4], y, range);
			y += 14.5;
		}
		y += 9.0;
	}
	demo_rule(c, DEMO_LEFT, DEMO_RIGHT, y, 0.6);
	demo_font(c, NULL, FALSE, 9.5);
	demo_text(c, DEMO_LEFT, y + 14.0,
		  "H = above reference range, L = below reference range. "
		  "eGFR by CKD-EPI 2021 equation.");
	demo_text(c, DEMO_LEFT, y + 27.0, "Medical director: Adaeze Wollaston, MD");
}

static void
demo_page_meds(DemoCanvas *c)
{
	const DemoPacket *p = c->p;
	g_autofree char *updated = demo_date_before(p, 1);
	const double cx[] = { DEMO_LEFT, 250.0, 330.0 };
	double y = demo_letterhead(c, 60.0);

	demo_font(c, NULL, TRUE, 14.0);
	demo_text(c, DEMO_LEFT, y, "CURRENT MEDICATION LIST");
	y += 20.0;
	y = demo_patient_line(c, y);
	demo_field(c, DEMO_LEFT, y, 10.5, "Last reconciled:", updated);
	y += 15.0;
	demo_field(c, DEMO_LEFT, y, 10.5, "Allergies:", p->allergies);
	y += 26.0;
	demo_font(c, NULL, TRUE, 10.5);
	demo_text(c, cx[0], y, "Medication");
	demo_text(c, cx[1], y, "Dose");
	demo_text(c, cx[2], y, "Directions");
	demo_rule(c, DEMO_LEFT, DEMO_RIGHT, y + 5.0, 0.8);
	y += 22.0;
	demo_font(c, NULL, FALSE, 10.5);
	for (guint i = 0; i < G_N_ELEMENTS(p->meds) && p->meds[i][0]; i++) {
		demo_text(c, cx[0], y, p->meds[i][0]);
		demo_text(c, cx[1], y, p->meds[i][1]);
		demo_text(c, cx[2], y, p->meds[i][2]);
		y += 18.0;
	}
	y += 10.0;
	demo_rule(c, DEMO_LEFT, DEMO_RIGHT, y, 0.6);
	demo_font(c, NULL, FALSE, 9.5);
	demo_text(
		c, DEMO_LEFT, y + 14.0,
		"List reviewed with the patient. Includes over-the-counter medications and "
		"supplements.");
}

static void
demo_page_echo(DemoCanvas *c)
{
	const DemoPacket *p = c->p;
	g_autofree char *study = demo_date_before(p, 8);
	g_autofree char *town = demo_town(p);
	double y = 60.0, x;

	demo_font(c, NULL, TRUE, 15.0);
	demo_textf(c, DEMO_LEFT, y, "%s Imaging Center - Echocardiography", town);
	y += 14.0;
	demo_font(c, NULL, FALSE, 10.0);
	demo_textf(c, DEMO_LEFT, y, "88 Lantern Street, %s   Phone (555) 318-2290", p->city);
	y += 8.0;
	demo_rule(c, DEMO_LEFT, DEMO_RIGHT, y, 1.2);
	y += 22.0;
	demo_font(c, NULL, TRUE, 14.0);
	demo_text(c, DEMO_LEFT, y, "TRANSTHORACIC ECHOCARDIOGRAM REPORT");
	y += 20.0;
	y = demo_patient_line(c, y);
	x = demo_field(c, DEMO_LEFT, y, 10.5, "Study date:", study);
	demo_field(c, MAX(x + 14.0, 250.0), y, 10.5, "Indication:", p->complaint);
	y += 15.0;
	demo_field(c, DEMO_LEFT, y, 10.5, "Study quality:", "Adequate");
	y += 26.0;

	demo_font(c, NULL, TRUE, 10.5);
	demo_text(c, DEMO_LEFT, y, "Measurement");
	demo_text(c, 260.0, y, "Value");
	demo_text(c, 360.0, y, "Normal");
	demo_rule(c, DEMO_LEFT, DEMO_RIGHT, y + 5.0, 0.8);
	y += 20.0;
	demo_font(c, NULL, FALSE, 10.5);
	for (guint i = 0; i < G_N_ELEMENTS(p->echo_meas) && p->echo_meas[i][0]; i++) {
		demo_text(c, DEMO_LEFT, y, p->echo_meas[i][0]);
		demo_text(c, 260.0, y, p->echo_meas[i][1]);
		demo_text(c, 360.0, y, p->echo_meas[i][2]);
		y += 15.0;
	}
	y += 14.0;
	demo_font(c, NULL, TRUE, 11.0);
	demo_text(c, DEMO_LEFT, y, "FINDINGS");
	demo_font(c, NULL, FALSE, 10.5);
	y = demo_wrap(c, DEMO_LEFT, y + 15.0, DEMO_RIGHT - DEMO_LEFT, 14.0, p->echo_findings) +
	    10.0;
	demo_font(c, NULL, TRUE, 11.0);
	demo_text(c, DEMO_LEFT, y, "CONCLUSIONS");
	demo_font(c, NULL, FALSE, 10.5);
	y = demo_wrap(c, DEMO_LEFT, y + 15.0, DEMO_RIGHT - DEMO_LEFT, 14.0, p->echo_conclusion) +
	    16.0;
	demo_textf(c, DEMO_LEFT, y, "Interpreting physician: Caspian Delacroix-Ng, MD   Signed %s",
		   study);
}

static void
demo_draw_page(DemoCanvas *c, guint index)
{
	demo_ink(c, 0.0);
	switch (c->p->pages[index]) {
	case DEMO_PAGE_COVER:
		demo_page_cover(c);
		break;
	case DEMO_PAGE_FORM:
		demo_page_form(c);
		break;
	case DEMO_PAGE_NOTE:
		demo_page_note(c);
		break;
	case DEMO_PAGE_EKG:
		demo_page_ekg(c);
		break;
	case DEMO_PAGE_LABS:
		demo_page_labs(c);
		break;
	case DEMO_PAGE_MEDS:
		demo_page_meds(c);
		break;
	case DEMO_PAGE_ECHO:
		demo_page_echo(c);
		break;
	case DEMO_PAGE_END:
	default:
		g_assert_not_reached();
	}
}

/* ------------------------------------------------------------------ */
/* Rendering and writing */

static DemoRng
demo_page_rng(const DemoPacket *p, guint index)
{
	DemoRng r = { p->seed * 1000003u + index + 1 };

	demo_rng_next(&r);
	return r;
}

/* Renders one page as the receiving fax would store it: 1 bpp, 1728 px
 * wide, at @ydpi rows per inch.  Returns (transfer full) a PIX with its
 * resolution set. */
static PIX *
demo_render_raster(const DemoPacket *p, const DemoFacts *f, guint index, double ydpi)
{
	const double xdpi = 204.0;
	int w = DEMO_FAX_COLUMNS;
	int h = (int)lround(11.0 * ydpi);
	cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cairo_t *cr = cairo_create(surface);
	DemoCanvas c = {
		.cr = cr, .vector = FALSE, .p = p, .f = f, .rng = demo_page_rng(p, index)
	};
	const unsigned char *data;
	int stride, wpl;
	l_uint32 *pixdata;
	PIX *pix;

	cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
	cairo_paint(cr);
	cairo_scale(cr, xdpi / 72.0, ydpi / 72.0);
	/* the header is printed by the sending machine; the page itself was
	 * scanned, so only it is shifted and skewed */
	demo_fax_header(&c, index, f->n_pages);
	cairo_save(cr);
	cairo_translate(cr, DEMO_PAGE_W / 2.0 + demo_rng_range(&c.rng, -4, 4),
			DEMO_PAGE_H / 2.0 + demo_rng_range(&c.rng, 0, 6));
	cairo_rotate(cr, (p->skew + 0.15 * (demo_rng_unit(&c.rng) - 0.5)) * G_PI / 180.0);
	cairo_translate(cr, -DEMO_PAGE_W / 2.0, -DEMO_PAGE_H / 2.0);
	demo_draw_page(&c, index);
	cairo_restore(cr);
	cairo_destroy(cr);
	cairo_surface_flush(surface);

	/* threshold at mid-gray, as a fax scanner does */
	pix = pixCreate(w, h, 1);
	pixdata = pixGetData(pix);
	wpl = pixGetWpl(pix);
	data = cairo_image_surface_get_data(surface);
	stride = cairo_image_surface_get_stride(surface);
	for (int y = 0; y < h; y++) {
		const guint32 *row = (const guint32 *)(const void *)(data + (size_t)y * stride);
		l_uint32 *line = pixdata + (size_t)y * wpl;

		for (int x = 0; x < w; x++)
			if (((row[x] >> 8) & 0xff) < 128)
				SET_DATA_BIT(line, x);
	}
	cairo_surface_destroy(surface);

	/* light line noise: isolated specks and a few small clumps */
	for (int i = 0; i < 260; i++) {
		int x = demo_rng_range(&c.rng, 0, w - 3), y = demo_rng_range(&c.rng, 30, h - 3);
		int size = demo_rng_unit(&c.rng) < 0.9 ? 1 : 2;

		pixRasterop(pix, x, y, size, size, PIX_SET, NULL, 0, 0);
	}
	pixSetResolution(pix, (l_int32)xdpi, (l_int32)ydpi);
	return pix;
}

static gboolean
demo_write_tiff(const DemoPacket *p, const DemoFacts *f, const char *path, GError **error)
{
	gboolean standard = p->format == DEMO_FORMAT_TIFF_STANDARD;
	/* standard resolution is what older machines send, usually as 1-D G3 */
	int comp = standard ? IFF_TIFF_G3 : IFF_TIFF_G4;

	for (guint i = 0; i < f->n_pages; i++) {
		PIX *pix = demo_render_raster(p, f, i, standard ? 98.0 : 196.0);
		l_ok rc = pixWriteTiff(path, pix, comp, i == 0 ? "w" : "a");

		pixDestroy(&pix);
		if (rc != 0) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO,
				    "cannot write tiff page %u", i + 1);
			return FALSE;
		}
	}
	return TRUE;
}

static guint32
demo_tiff_get(const guint8 *data, gsize off, guint n, gboolean big_endian)
{
	guint32 v = 0;

	for (guint i = 0; i < n; i++)
		v |= (guint32)data[off + i] << (8 * (big_endian ? n - 1 - i : i));
	return v;
}

/* The raw CCITT G4 bit stream of a 1 bpp PIX, as a PDF CCITTFaxDecode
 * filter takes it.  Leptonica's own helper (pixGenerateCIData) goes through
 * a temporary file, so encode to an in-memory TIFF and take its only strip
 * (Leptonica writes one strip per page).  Returns (transfer full). */
static GBytes *
demo_g4_data(PIX *pix, GError **error)
{
	l_uint8 *tiff = NULL;
	size_t len = 0;
	gboolean be;
	guint32 ifd, n, strip_off = 0, strip_len = 0, n_strips = 0;
	GBytes *out = NULL;

	if (pixWriteMemTiff(&tiff, &len, pix, IFF_TIFF_G4) != 0 || len < 8) {
		g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot encode g4");
		goto out;
	}
	be = tiff[0] == 'M';
	ifd = demo_tiff_get(tiff, 4, 4, be);
	if (ifd > len - 2)
		goto bad;
	n = demo_tiff_get(tiff, ifd, 2, be);
	if ((gsize)ifd + 2 + 12 * (gsize)n > len)
		goto bad;
	for (guint i = 0; i < n; i++) {
		gsize e = ifd + 2 + 12 * (gsize)i;
		guint32 tag = demo_tiff_get(tiff, e, 2, be);
		guint32 type = demo_tiff_get(tiff, e + 2, 2, be);
		guint32 count = demo_tiff_get(tiff, e + 4, 4, be);
		/* a single SHORT or LONG value sits in the entry itself */
		guint32 value = type == 3 ? demo_tiff_get(tiff, e + 8, 2, be)
					  : demo_tiff_get(tiff, e + 8, 4, be);

		if (tag == 273) { /* StripOffsets */
			strip_off = value;
			n_strips = count;
		} else if (tag == 279) { /* StripByteCounts */
			strip_len = value;
		}
	}
	if (n_strips != 1 || strip_len == 0 || strip_off > len || strip_len > len - strip_off)
		goto bad;
	out = g_bytes_new(tiff + strip_off, strip_len);
	goto out;
bad:
	g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "unexpected g4 tiff layout");
out:
	lept_free(tiff);
	return out;
}

static void
demo_pdf_metadata(cairo_surface_t *pdf, const DemoPacket *p, const char *creator)
{
	char date[32];

	/* fixed dates: cairo would otherwise stamp the current time */
	g_snprintf(date, sizeof date, "%04d-%02d-%02dT%02d:%02d:00", DEMO_RECEIVED_YEAR,
		   DEMO_RECEIVED_MONTH, p->day, p->hour, p->minute);
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATOR, creator);
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATE_DATE, date);
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_MOD_DATE, date);
}

/* A fax-to-PDF gateway's output: one 1-bit image per page, no text.  The
 * page's G4 data is attached as CCITT mime data, so cairo embeds it as a
 * CCITTFaxDecode image instead of re-encoding the pixels. */
static gboolean
demo_write_pdf_image(const DemoPacket *p, const DemoFacts *f, const char *path, GError **error)
{
	cairo_surface_t *pdf = cairo_pdf_surface_create(path, DEMO_PAGE_W, DEMO_PAGE_H);
	cairo_t *cr = cairo_create(pdf);
	cairo_status_t status;
	g_autofree char *fax = demo_digits(f->ref_fax);
	g_autofree char *title = g_strdup_printf("Fax from %s", fax);

	demo_pdf_metadata(pdf, p, "FaxGate 4.2");
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_TITLE, title);
	for (guint i = 0; i < f->n_pages && cairo_status(cr) == CAIRO_STATUS_SUCCESS; i++) {
		PIX *pix = demo_render_raster(p, f, i, 196.0);
		int w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
		GBytes *g4 = demo_g4_data(pix, error);
		cairo_surface_t *img;
		unsigned char *data;
		int stride;
		char *params;

		if (!g4) {
			pixDestroy(&pix);
			cairo_destroy(cr);
			cairo_surface_destroy(pdf);
			g_prefix_error(error, "page %u: ", i + 1);
			return FALSE;
		}
		/* the same pixels as a cairo surface, for any fallback path */
		img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
		data = cairo_image_surface_get_data(img);
		stride = cairo_image_surface_get_stride(img);
		for (int y = 0; y < h; y++) {
			guint32 *row = (guint32 *)(void *)(data + (size_t)y * stride);
			const l_uint32 *line = pixGetData(pix) + (size_t)y * wpl;

			for (int x = 0; x < w; x++)
				row[x] = GET_DATA_BIT(line, x) ? 0x000000 : 0xffffff;
		}
		cairo_surface_mark_dirty(img);
		cairo_surface_set_mime_data(img, CAIRO_MIME_TYPE_CCITT_FAX,
					    g_bytes_get_data(g4, NULL), g_bytes_get_size(g4),
					    (cairo_destroy_func_t)g_bytes_unref, g4);
		params = g_strdup_printf("Columns=%d Rows=%d K=-1", w, h);
		cairo_surface_set_mime_data(img, CAIRO_MIME_TYPE_CCITT_FAX_PARAMS,
					    (unsigned char *)params, strlen(params), g_free,
					    params);
		pixDestroy(&pix);

		cairo_save(cr);
		cairo_translate(cr, (DEMO_PAGE_W - w * 72.0 / 204.0) / 2.0, 0.0);
		cairo_scale(cr, 72.0 / 204.0, 72.0 / 196.0);
		cairo_set_source_surface(cr, img, 0.0, 0.0);
		cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
		cairo_paint(cr);
		cairo_restore(cr);
		cairo_show_page(cr);
		cairo_surface_destroy(img);
	}
	cairo_destroy(cr);
	cairo_surface_finish(pdf);
	status = cairo_surface_status(pdf);
	cairo_surface_destroy(pdf);
	if (status != CAIRO_STATUS_SUCCESS) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot write pdf: %s",
			    cairo_status_to_string(status));
		return FALSE;
	}
	return TRUE;
}

/* An EHR's "send as fax" export: vector pages with a real text layer */
static gboolean
demo_write_pdf_text(const DemoPacket *p, const DemoFacts *f, const char *path, GError **error)
{
	cairo_surface_t *pdf = cairo_pdf_surface_create(path, DEMO_PAGE_W, DEMO_PAGE_H);
	cairo_t *cr = cairo_create(pdf);
	cairo_status_t status;

	demo_pdf_metadata(pdf, p, "Westfield EHR 12.4 (fax export)");
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_TITLE, "Referral");
	for (guint i = 0; i < f->n_pages; i++) {
		DemoCanvas c = {
			.cr = cr, .vector = TRUE, .p = p, .f = f, .rng = demo_page_rng(p, i)
		};

		cairo_save(cr);
		demo_fax_header(&c, i, f->n_pages);
		demo_draw_page(&c, i);
		cairo_restore(cr);
		cairo_show_page(cr);
	}
	cairo_destroy(cr);
	cairo_surface_finish(pdf);
	status = cairo_surface_status(pdf);
	cairo_surface_destroy(pdf);
	if (status != CAIRO_STATUS_SUCCESS) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot write pdf: %s",
			    cairo_status_to_string(status));
		return FALSE;
	}
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* The packets */

static const DemoPacket demo_packets[] = {
	{
		.file = "demo01-fax-fine.tif",
		.format = DEMO_FORMAT_TIFF_FINE,
		.seed = 101,
		.header_style = 0,
		.date_style = 0,
		.family = "DejaVu Sans",
		.skew = 0.3,
		.day = 18,
		.hour = 9,
		.minute = 42,
		.pt_first = "Marguerite",
		.pt_last = "Ostrander",
		.pt_sex = "Female",
		.dob_y = 1951,
		.dob_m = 3,
		.dob_d = 14,
		.pt_has_phone = TRUE,
		.insurance = "Blue Meadow Health Plan",
		.ref_name = "Elena Marchetti",
		.ref_cred = "MD",
		.practice = "Lakeside Family Medicine",
		.street = "410 Orchard Lane, Suite 2",
		.city = "Millbrook, OH 44017",
		.service = "Heart failure clinic",
		.urgency = "Routine",
		.complaint = "Shortness of breath, leg swelling",
		.reason = "Progressive dyspnea on exertion and bilateral leg edema over 3 months. "
			  "New finding of reduced ejection fraction (LVEF 30-35%) on echo. Please "
			  "evaluate and optimize heart failure therapy.",
		.dx = { { "I50.22", "Chronic systolic (congestive) heart failure" },
			{ "I10", "Essential (primary) hypertension" },
			{ "E78.5", "Hyperlipidemia, unspecified" } },
		.pages = { DEMO_PAGE_COVER, DEMO_PAGE_FORM, DEMO_PAGE_NOTE, DEMO_PAGE_EKG,
			   DEMO_PAGE_LABS, DEMO_PAGE_ECHO },
		.cover_message =
			"Referral for cardiology consultation enclosed with office note, EKG, "
			"recent labs and echocardiogram. Please call our office with the "
			"appointment date and time.",
		.subjective =
			"75-year-old woman with hypertension and hyperlipidemia presents with 3 "
			"months of progressive dyspnea on exertion, now after one flight of "
			"stairs, two-pillow orthopnea and ankle swelling. Denies chest pain, "
			"palpitations or syncope. Weight up 4 kg since August.",
		.objective = "BP 148/86, HR 92, RR 18, SpO2 95% on room air, weight 81.4 kg. JVP "
			     "about 10 cm. Bibasilar crackles. Regular rhythm, soft S3, no murmur. "
			     "2+ pitting edema to mid-shin bilaterally.",
		.assessment =
			"1. Heart failure with reduced ejection fraction, LVEF 30-35% on echo "
			"(I50.22). 2. Essential hypertension, above goal (I10). "
			"3. Hyperlipidemia (E78.5).",
		.plan = "Started furosemide 40 mg daily and increased lisinopril to 20 mg daily. "
			"BMP and BNP enclosed; repeat BMP in 1 week. Referred to cardiology heart "
			"failure clinic for guideline-directed therapy and ischemic evaluation. "
			"Return visit in 2 weeks.",
		.panels = DEMO_PANEL_BMP | DEMO_PANEL_BNP,
		.lab_age_days = 6,
		.lab_over = { { "BNP", 812 }, { "Sodium", 134 }, { "Creatinine", 1.21 } },
		.ekg_rate = 92,
		.ekg_age_days = 1,
		.ekg_interp = { "Sinus rhythm", "Left ventricular hypertrophy",
				"Nonspecific T wave abnormality", "Abnormal ECG" },
		.echo_meas = { { "LV ejection fraction", "30-35 %", "55-70 %" },
			       { "LV end-diastolic diameter", "6.1 cm", "4.2-5.8 cm" },
			       { "Interventricular septum", "1.2 cm", "0.6-1.0 cm" },
			       { "Left atrial volume index", "41 mL/m2", "< 34 mL/m2" },
			       { "TAPSE", "1.8 cm", "> 1.7 cm" },
			       { "RV systolic pressure", "38 mmHg", "< 35 mmHg" } },
		.echo_findings =
			"Dilated left ventricle with moderately to severely reduced systolic "
			"function and global hypokinesis. Mild concentric hypertrophy. "
			"Moderate mitral regurgitation, functional. Mildly dilated left "
			"atrium. Normal right ventricular size and low-normal function.",
		.echo_conclusion = "1. LVEF 30-35% with global hypokinesis. 2. Moderate functional "
				   "mitral regurgitation. 3. Mild pulmonary hypertension.",
	},
	{
		.file = "demo02-fax-standard.tif",
		.format = DEMO_FORMAT_TIFF_STANDARD,
		.seed = 202,
		.header_style = 1,
		.date_style = 0,
		.family = "Nimbus Sans",
		.skew = -0.4,
		.day = 19,
		.hour = 14,
		.minute = 15,
		.pt_first = "Harold",
		.pt_last = "Brzezinski",
		.pt_sex = "Male",
		.dob_y = 1946,
		.dob_m = 9,
		.dob_d = 2,
		.pt_has_phone = TRUE,
		.insurance = "Medicare Part B",
		.ref_name = "Samuel Okafor",
		.ref_cred = "DO",
		.practice = "Cedar Hollow Internal Medicine",
		.street = "77 Kestrel Avenue",
		.city = "Ashby Falls, PA 17099",
		.service = "Electrophysiology / arrhythmia clinic",
		.urgency = "Urgent",
		.complaint = "Palpitations, new atrial fibrillation",
		.reason =
			"New onset atrial fibrillation with rapid ventricular response, "
			"palpitations for 5 days. Rate control and anticoagulation started. "
			"Please see within 1 week.",
		.dx = { { "I48.91", "Unspecified atrial fibrillation" },
			{ "R00.2", "Palpitations" },
			{ "I10", "Essential (primary) hypertension" } },
		.pages = { DEMO_PAGE_FORM, DEMO_PAGE_NOTE, DEMO_PAGE_EKG },
		.to_follow = "Medication list; TSH and BMP results (pending)",
		.subjective =
			"80-year-old man with 5 days of palpitations, fatigue and mild dyspnea "
			"on exertion. No chest pain, no syncope. No prior arrhythmia. Drinks "
			"two glasses of wine nightly.",
		.objective =
			"BP 132/78, HR 128 irregularly irregular, SpO2 96%. Lungs clear. No "
			"edema. EKG today: atrial fibrillation with rapid ventricular response.",
		.assessment = "1. New onset atrial fibrillation with RVR (I48.91), CHA2DS2-VASc 3. "
			      "2. Palpitations (R00.2). 3. Hypertension (I10).",
		.plan = "Started metoprolol tartrate 25 mg twice daily and apixaban 5 mg twice "
			"daily. TSH and BMP drawn today, results pending. Medication list to "
			"follow. Urgent electrophysiology evaluation requested within 1 week; "
			"emergency precautions reviewed with patient and daughter.",
		.ekg_rate = 128,
		.ekg_age_days = 0,
		.ekg_afib = TRUE,
		.ekg_interp = { "Atrial fibrillation with rapid ventricular response",
				"Nonspecific ST abnormality", "Abnormal ECG" },
	},
	{
		.file = "demo03-fax.pdf",
		.format = DEMO_FORMAT_PDF_IMAGE,
		.seed = 303,
		.header_style = 2,
		.date_style = 2,
		.family = "DejaVu Serif",
		.skew = 0.5,
		.day = 20,
		.hour = 11,
		.minute = 5,
		.pt_first = "Dolores",
		.pt_last = "Finnegan-Ruiz",
		.pt_sex = "Female",
		.dob_y = 1958,
		.dob_m = 7,
		.dob_d = 21,
		.pt_has_phone = TRUE,
		.insurance = "Keystone Valley Health",
		.ref_name = "Priya Raman",
		.ref_cred = "MD",
		.practice = "Harbor View Primary Care",
		.street = "2 Wharf Street, Floor 3",
		.city = "Port Ellery, ME 04099",
		.service = "Interventional cardiology - chest pain evaluation",
		.urgency = "Routine",
		.complaint = "Exertional chest pressure",
		.reason =
			"Exertional chest pressure for 6 weeks, relieved by rest. Please evaluate "
			"for stable angina; stress testing requested.",
		.dx = { { "R07.9", "Chest pain, unspecified" },
			{ "I20.9", "Angina pectoris, unspecified" },
			{ "E78.5", "Hyperlipidemia, unspecified" } },
		.pages = { DEMO_PAGE_COVER, DEMO_PAGE_FORM, DEMO_PAGE_NOTE, DEMO_PAGE_LABS },
		.to_follow = "EKG (ordered), treadmill stress test (scheduled)",
		.cover_message =
			"Please find a cardiology referral with office note and labs. The EKG "
			"was ordered and will be faxed separately; the stress test is "
			"scheduled and the report will follow.",
		.subjective =
			"68-year-old woman with 6 weeks of substernal pressure when walking "
			"uphill, relieved by rest within 5 minutes. Former smoker, 30 pack-years, "
			"quit 2015. Father had a myocardial infarction at 58.",
		.objective =
			"BP 138/82, HR 76, BMI 31.2. Heart regular, no murmur. Lungs clear. No "
			"peripheral edema.",
		.assessment =
			"1. Chest pain, suspect stable angina (R07.9, I20.9). 2. Hyperlipidemia, "
			"LDL 142 on the lipid panel enclosed (E78.5).",
		.plan = "Started aspirin 81 mg daily and atorvastatin 40 mg daily; sublingual "
			"nitroglycerin as needed. EKG ordered, will be faxed separately. "
			"Treadmill stress test scheduled for 12/03/2026; results to follow. "
			"Please evaluate for ischemic heart disease.",
		.panels = DEMO_PANEL_LIPID | DEMO_PANEL_BMP,
		.lab_age_days = 9,
		.lab_over = { { "LDL", 142 },
			      { "Cholesterol", 228 },
			      { "HDL", 44 },
			      { "Triglycerides", 210 },
			      { "Glucose", 104 } },
	},
	{
		.file = "demo04-fax.pdf",
		.format = DEMO_FORMAT_PDF_IMAGE,
		.seed = 404,
		.header_style = 0,
		.date_style = 0,
		.family = "Nimbus Sans",
		.skew = -0.2,
		.day = 20,
		.hour = 16,
		.minute = 48,
		.pt_first = "Winston",
		.pt_last = "Achterberg",
		.pt_sex = "Male",
		.dob_y = 1967,
		.dob_m = 12,
		.dob_d = 5,
		.pt_has_phone = FALSE,
		.insurance = "Granite State Mutual",
		.ref_name = "Margaret Tolliver",
		.ref_cred = "NP",
		.practice = "Northgate Community Health",
		.street = "1501 Tamarack Road",
		.city = "Dunmore Springs, NH 03899",
		.service = "Preventive cardiology / lipid clinic",
		.urgency = "Routine",
		.complaint = "Elevated LDL on statin",
		.reason = "LDL above goal despite rosuvastatin 20 mg and strong family history of "
			  "premature coronary disease. Please advise on additional lipid-lowering "
			  "therapy and risk assessment.",
		.dx = { { "E78.00", "Pure hypercholesterolemia, unspecified" },
			{ "Z82.49", "Family history of ischemic heart disease" },
			{ "I10", "Essential (primary) hypertension" } },
		.pages = { DEMO_PAGE_FORM, DEMO_PAGE_NOTE, DEMO_PAGE_LABS, DEMO_PAGE_MEDS },
		.subjective =
			"58-year-old man referred for lipid management. LDL remains above goal "
			"on rosuvastatin 20 mg for 1 year with good adherence. Brother had "
			"bypass surgery at 52, father a heart attack at 55. Asymptomatic; walks "
			"30 minutes daily.",
		.objective = "BP 134/84, HR 64, BMI 28.4. Heart and lung exam unremarkable. No "
			     "xanthomas.",
		.assessment = "1. Pure hypercholesterolemia, LDL 171 mg/dL on statin (E78.00). "
			      "2. Family history of premature ischemic heart disease (Z82.49). "
			      "3. Hypertension, stage 1 (I10).",
		.plan = "Fasting lipid panel, BMP and A1c enclosed with the current medication "
			"list. Requesting preventive cardiology opinion on add-on therapy "
			"(ezetimibe or PCSK9 inhibitor) and coronary calcium scoring.",
		.panels = DEMO_PANEL_LIPID | DEMO_PANEL_BMP | DEMO_PANEL_A1C,
		.lab_age_days = 21,
		.lab_over = { { "LDL", 171 },
			      { "Cholesterol", 254 },
			      { "HDL", 41 },
			      { "Triglycerides", 188 },
			      { "Hemoglobin A1c", 5.9 } },
		.allergies = "No known drug allergies",
		.meds = { { "Rosuvastatin", "20 mg", "1 tablet by mouth at bedtime" },
			  { "Lisinopril", "10 mg", "1 tablet by mouth daily" },
			  { "Aspirin", "81 mg", "1 tablet by mouth daily" },
			  { "Omega-3 fish oil", "1 g", "1 capsule by mouth daily" },
			  { "Cetirizine", "10 mg", "1 tablet daily as needed" } },
	},
	{
		.file = "demo05-ehr.pdf",
		.format = DEMO_FORMAT_PDF_TEXT,
		.seed = 505,
		.header_style = 3,
		.date_style = 1,
		.family = "DejaVu Sans",
		.day = 23,
		.hour = 8,
		.minute = 31,
		.pt_first = "Beatrix",
		.pt_last = "Lindqvist",
		.pt_sex = "Female",
		.dob_y = 1939,
		.dob_m = 5,
		.dob_d = 30,
		.pt_has_phone = TRUE,
		.insurance = "Medicare Advantage - Harborline",
		.ref_name = "Jonah Abernathy",
		.ref_cred = "MD",
		.practice = "Westfield Medical Group",
		.street = "9 Commonwealth Plaza",
		.city = "Westfield Center, MA 01099",
		.service = "Heart failure clinic",
		.urgency = "Routine",
		.complaint = "Recurrent heart failure admissions",
		.reason =
			"Heart failure with preserved ejection fraction with two admissions for "
			"volume overload since July. Please co-manage in the heart failure clinic.",
		.dx = { { "I50.32", "Chronic diastolic (congestive) heart failure" },
			{ "I48.91", "Unspecified atrial fibrillation" },
			{ "N18.30", "Chronic kidney disease, stage 3 unspecified" } },
		.pages = { DEMO_PAGE_FORM, DEMO_PAGE_NOTE, DEMO_PAGE_EKG, DEMO_PAGE_LABS,
			   DEMO_PAGE_MEDS, DEMO_PAGE_ECHO },
		.subjective =
			"87-year-old woman with HFpEF, permanent atrial fibrillation and CKD "
			"stage 3, two admissions for volume overload since July. Reports dyspnea "
			"walking across the room and a 3 kg weight gain this week.",
		.objective = "BP 156/72, HR 84 irregular, SpO2 93%, weight 68.9 kg. JVP 12 cm, "
			     "crackles at both bases, 2+ edema to the knees.",
		.assessment = "1. Chronic diastolic heart failure, LVEF 60% (I50.32). 2. Atrial "
			      "fibrillation, rate controlled (I48.91). 3. CKD stage 3 (N18.30).",
		.plan = "Increased torsemide to 40 mg daily. Labs (BMP, BNP, CBC), EKG, echo and "
			"medication list attached. Please co-manage in heart failure clinic; "
			"patient prefers morning appointments.",
		.panels = DEMO_PANEL_BMP | DEMO_PANEL_BNP | DEMO_PANEL_CBC,
		.lab_age_days = 4,
		.lab_over = { { "BNP", 640 },
			      { "Creatinine", 1.62 },
			      { "eGFR", 31 },
			      { "Hemoglobin", 10.8 },
			      { "Hematocrit", 33.1 },
			      { "Potassium", 4.9 } },
		.allergies = "Sulfa drugs (rash); codeine (nausea)",
		.meds = { { "Torsemide", "40 mg", "1 tablet by mouth every morning" },
			  { "Metoprolol succinate ER", "50 mg", "1 tablet by mouth daily" },
			  { "Apixaban", "2.5 mg", "1 tablet by mouth twice daily" },
			  { "Potassium chloride ER", "20 mEq", "1 tablet by mouth daily" },
			  { "Levothyroxine", "50 mcg", "1 tablet before breakfast" },
			  { "Acetaminophen", "500 mg", "1-2 tablets every 8 hours as needed" } },
		.ekg_rate = 84,
		.ekg_age_days = 2,
		.ekg_afib = TRUE,
		.ekg_interp = { "Atrial fibrillation", "Low voltage QRS", "Abnormal ECG" },
		.echo_meas = { { "LV ejection fraction", "60 %", "55-70 %" },
			       { "LV end-diastolic diameter", "4.6 cm", "3.8-5.2 cm" },
			       { "Interventricular septum", "1.3 cm", "0.6-0.9 cm" },
			       { "Left atrial volume index", "58 mL/m2", "< 34 mL/m2" },
			       { "E/e' average", "16", "< 14" },
			       { "RV systolic pressure", "48 mmHg", "< 35 mmHg" } },
		.echo_findings =
			"Normal left ventricular size with concentric hypertrophy and "
			"normal systolic function. Diastolic dysfunction with elevated filling "
			"pressures. Severely dilated left atrium. Mild tricuspid "
			"regurgitation. Atrial fibrillation during the study.",
		.echo_conclusion = "1. LVEF 60%, concentric LVH. 2. Elevated filling pressures. "
				   "3. Moderate pulmonary hypertension, RVSP 48 mmHg.",
	},
	{
		.file = "demo06-ehr.pdf",
		.format = DEMO_FORMAT_PDF_TEXT,
		.seed = 606,
		.header_style = 3,
		.date_style = 1,
		.family = "DejaVu Serif",
		.day = 24,
		.hour = 13,
		.minute = 58,
		.pt_first = "Tobias",
		.pt_last = "Merriweather",
		.pt_sex = "Male",
		.dob_y = 1988,
		.dob_m = 2,
		.dob_d = 11,
		.pt_has_phone = TRUE,
		.insurance = "Crescent Employer Health PPO",
		.ref_name = "Ines Castellano",
		.ref_cred = "PA-C",
		.practice = "Brookside Urgent Care",
		.street = "300 Millrace Drive",
		.city = "Brookside, VT 05099",
		.service = "General cardiology consultation",
		.urgency = "Routine",
		.complaint = "Palpitations, near-syncope",
		.reason = "Intermittent palpitations for 2 months and one episode of near-syncope. "
			  "Please evaluate; ambulatory rhythm monitoring requested.",
		.dx = { { "R00.2", "Palpitations" }, { "R55", "Syncope and collapse" } },
		.pages = { DEMO_PAGE_COVER, DEMO_PAGE_FORM, DEMO_PAGE_NOTE, DEMO_PAGE_EKG },
		.to_follow = "CBC, BMP and TSH (ordered, not yet resulted)",
		.cover_message =
			"Referral for a 37-year-old patient with palpitations. Office note and "
			"EKG attached. Labs were ordered and will be faxed when resulted.",
		.subjective =
			"37-year-old man with 2 months of intermittent rapid heartbeat lasting "
			"minutes, and one episode of near-fainting while standing at work on "
			"11/09. No chest pain. Two energy drinks daily.",
		.objective = "BP 122/76, HR 71 regular, orthostatic vitals negative. Normal heart "
			     "sounds, no murmur. EKG in clinic: sinus rhythm, normal intervals.",
		.assessment = "1. Palpitations (R00.2). 2. Near-syncope (R55).",
		.plan = "EKG enclosed. CBC, BMP and TSH ordered, will be faxed when resulted. "
			"Advised caffeine reduction and hydration. Requesting cardiology "
			"evaluation and an ambulatory monitor (Holter or event monitor).",
		.ekg_rate = 71,
		.ekg_age_days = 0,
		.ekg_interp = { "Normal sinus rhythm", "Normal ECG" },
	},
};

static gboolean
demo_write_packet(const DemoPacket *p, const char *outdir, GError **error)
{
	DemoFacts f = { 0 };
	DemoRng rng = { p->seed };
	g_autofree char *path = g_build_filename(outdir, p->file, NULL);
	/* write beside the final name and rename, so a daemon watching OUTDIR
	 * never sees a half-written file */
	g_autofree char *tmp = g_strdup_printf("%s/.%s.tmp", outdir, p->file);
	const char *format = NULL;
	gboolean ok = FALSE;

	demo_make_npi(&rng, f.npi);
	demo_make_phone(&rng, f.ref_phone);
	demo_make_phone(&rng, f.ref_fax);
	demo_make_phone(&rng, f.pt_phone);
	g_snprintf(f.mrn, sizeof f.mrn, "%d%06d", demo_rng_range(&rng, 10, 99),
		   demo_rng_range(&rng, 0, 999999));
	g_snprintf(f.member_id, sizeof f.member_id, "XQ%09d", demo_rng_range(&rng, 0, 999999999));
	f.n_pages = demo_count_pages(p);

	switch (p->format) {
	case DEMO_FORMAT_TIFF_FINE:
		ok = demo_write_tiff(p, &f, tmp, error);
		format = "TIFF CCITT G4, fine 204x196 dpi, 1728 px wide";
		break;
	case DEMO_FORMAT_TIFF_STANDARD:
		ok = demo_write_tiff(p, &f, tmp, error);
		format = "TIFF CCITT G3, standard 204x98 dpi, 1728 px wide";
		break;
	case DEMO_FORMAT_PDF_IMAGE:
		ok = demo_write_pdf_image(p, &f, tmp, error);
		format = "image-only PDF, 1-bit G4 204x196 dpi pages, no text layer";
		break;
	case DEMO_FORMAT_PDF_TEXT:
		ok = demo_write_pdf_text(p, &f, tmp, error);
		format = "born-digital PDF with text layer";
		break;
	}
	if (!ok) {
		g_unlink(tmp);
		g_prefix_error(error, "%s: ", p->file);
		return FALSE;
	}
	if (g_rename(tmp, path) != 0) {
		int saved = errno;

		g_unlink(tmp);
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved),
			    "%s: cannot rename: %s", p->file, g_strerror(saved));
		return FALSE;
	}
	printf("%s: %u pages, %s\n", p->file, f.n_pages, format);
	return TRUE;
}

int
main(int argc, char **argv)
{
	const char *outdir;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr,
			"usage: %s OUTDIR\n"
			"writes synthetic cardiology referral faxes (TIFF and PDF) into OUTDIR\n",
			argv[0]);
		return argc == 2 && (g_str_equal(argv[1], "-h") || g_str_equal(argv[1], "--help"))
			       ? 0
			       : 2;
	}
	outdir = argv[1];
	setMsgSeverity(L_SEVERITY_ERROR);

	/* the CMS example NPI 123456789-3 keeps the check-digit code honest */
	if (demo_npi_check_digit("123456789") != '3') {
		fprintf(stderr, "make-demo-faxes: npi check digit self-test failed\n");
		return 1;
	}
	if (g_mkdir_with_parents(outdir, 0755) != 0) {
		fprintf(stderr, "make-demo-faxes: cannot create output directory: %s\n",
			g_strerror(errno));
		return 1;
	}
	for (guint i = 0; i < G_N_ELEMENTS(demo_packets); i++) {
		g_autoptr(GError) error = NULL;

		if (!demo_write_packet(&demo_packets[i], outdir, &error)) {
			fprintf(stderr, "make-demo-faxes: %s\n", error->message);
			return 1;
		}
	}
	cairo_debug_reset_static_data();
	return 0;
}
