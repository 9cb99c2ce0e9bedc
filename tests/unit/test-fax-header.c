/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fax headers as machines and services print them (after their
 * documented templates) and as OCR reads them: date, sender number and
 * name, page counter, never the TO side's number. */
#include <string.h>

#include "parsers/fields/fax-header.h"
#include "parsers/fields/dates.h"

typedef struct {
        const char *text;   /* the top of a page */
        const char *date;   /* expected ISO date, NULL: none */
        const char *sender; /* expected sender number, NULL: none */
        const char *name;   /* expected sender name, NULL: not checked */
        guint page, pages;  /* 0: not checked */
} HeaderCase;

static const HeaderCase cases[] = {
        /* HylaFAX TagLineFormat default "From %%n|%c|Page %%p of %%t" */
        { "From 5552224444|Fri Nov 20 10:14:02 2026|Page 1 of 3\nREFERRAL", "2026-11-20", "5552224444", NULL, 1, 3 },
        { "From +1 555 222 4444 | Fri Nov 20 10:14:02 2026 | Page 2 of 3\n", "2026-11-20", "5552224444", NULL, 2, 3 },
        /* a site's own HylaFAX format with the station name */
        { "From CEDAR HOLLOW IM (555) 222-4444  Nov 20 2026 10:14am  Page 3 of 3\n", "2026-11-20", "5552224444",
          "CEDAR HOLLOW IM", 3, 3 },
        /* RightFax: date, time, sender name, sender fax, "->", recipient */
        { "11/20/2026 10:14 AM  CEDAR HOLLOW INTERNAL ME  (555) 222-4444 -> 5554400100  Page 001 of 003\n",
          "2026-11-20", "5552224444", NULL, 1, 3 },
        { "11/20/26  09:00AM  +1(555) 222-4444       -> 5554400100                   001\nCover",
          "2026-11-20", "5552224444", NULL, 0, 0 },
        { "NOV-20-2026 10:28 FROM:RIVERSIDE FAMILY MED 5552224444 TO:5554400100 P.1/6\n", "2026-11-20",
          "5552224444", "RIVERSIDE FAMILY MED", 1, 6 },
        /* eFax / j2 inbound: "From:", "Page: N/M", "Date:" after the number */
        { "From: 5552224444   Page: 2/5   Date: 11/20/2026 3:21:51 PM\nNOTE", "2026-11-20", "5552224444", NULL, 2, 5 },
        { "2026-11-20 10:14 EST   Sent by eFax from +1 555-222-4444 to +1 555-440-0100   p. 2\n", "2026-11-20",
          "5552224444", NULL, 2, 0 },
        { "2026-11-20 16:16:50 From: 5552224444 To: 5554400100 Page 1 of 5\n", "2026-11-20", "5552224444", NULL, 1, 5 },
        /* Windows Fax and Scan: date, time, name, number, page */
        { "11/20/2026 2:03 PM   Cedar Hollow IM   5552224444   Page 1/4\n", "2026-11-20", "5552224444",
          "Cedar Hollow IM", 1, 4 },
        { "20/11/2026 is no US date 14:03 FAX 555 222 4444\n", NULL, NULL, NULL, 0, 0 },
        /* Sfax, Updox, Kno2 */
        { "Sfax  11/20/2026 10:14 AM  From: Cedar Hollow IM  Fax: (555) 222-4444  To: 555-440-0100  Page 1 of 2\n",
          "2026-11-20", "5552224444", "Cedar Hollow IM", 1, 2 },
        { "Updox fax from 555.222.4444 received 11/20/2026 10:14 AM page 1 of 2\n", "2026-11-20", "5552224444",
          NULL, 1, 2 },
        { "Kno2  2026-11-20 10:14:02  FROM: CEDAR HOLLOW IM (555) 222-4444  PAGE 1 OF 2\n", "2026-11-20",
          "5552224444", "CEDAR HOLLOW IM", 1, 2 },
        /* Brother, HP, Canon, Xerox machines */
        { "NOV-20-2026 09:02  FROM: 555.222.4444 NORTHGATE COMMUNITY HEALTH  TO: 5554400100  P.1\n", "2026-11-20",
          "5552224444", "NORTHGATE COMMUNITY HEALTH", 1, 0 },
        { "Nov. 20 2026 10:14AM  CEDAR HOLLOW IM  5552224444  P1\n", "2026-11-20", "5552224444", NULL, 1, 0 },
        { "11/20/2026 10:14 5552224444 CEDAR HOLLOW  PAGE 01/03\n", "2026-11-20", "5552224444", "CEDAR HOLLOW", 1, 3 },
        { "11/03/2026 02:03 PM FAX 555 222 4444 NORTHGATE PRIMARY CARE #0401 P.001/005\n", "2026-11-03",
          "5552224444", "NORTHGATE PRIMARY CARE", 1, 5 },
        { "20-NOV-2026 10:14 FROM-CEDAR HOLLOW IM +5552224444 T-123 P.001/003 F-456\n", "2026-11-20",
          "5552224444", NULL, 1, 3 },
        { "Oct 14 2026 09:48am Cedar Valley Medical Group (555)222-4444 p.1\n", "2026-10-14", "5552224444",
          "Cedar Valley Medical Group", 1, 0 },
        { "NOV/20/2026/FRI 10:14 AM  CEDAR HOLLOW IM  FAX No. 5552224444  P. 01/03\n", "2026-11-20", "5552224444",
          NULL, 1, 3 },
        /* dates in every form */
        { "20-NOV-26 10:14 FROM: 5552224444 P.1/2\n", "2026-11-20", "5552224444", NULL, 1, 2 },
        { "11-20-26 10:14 FROM: 5552224444 P.1/2\n", "2026-11-20", "5552224444", NULL, 1, 2 },
        { "2026/11/20 10:14 FROM 555-222-4444 PAGE 1\n", "2026-11-20", "5552224444", NULL, 1, 0 },
        { "2026.11.20 10:14 FROM 555-222-4444 PAGE 1\n", "2026-11-20", "5552224444", NULL, 1, 0 },
        { "November 20, 2026 10:14 AM  FROM: 555 222 4444  Page 1 of 2\n", "2026-11-20", "5552224444", NULL, 1, 2 },
        { "Friday, November 20, 2026 10:14:02 AM  From: (555) 222-4444  Page 1 of 2\n", "2026-11-20", "5552224444",
          NULL, 1, 2 },
        { "20 Nov 2026 22:14 FROM: 5552224444 P.2/2\n", "2026-11-20", "5552224444", NULL, 2, 2 },
        /* the practice's own number on the TO side, in any order */
        { "TO: 5554400100  FROM: 5552224444  11/20/2026 10:14  P.1/2\n", "2026-11-20", "5552224444", NULL, 1, 2 },
        { "11/20/2026 10:14 TO: (555) 440-0100 Page 1 of 2\n", "2026-11-20", NULL, NULL, 1, 2 },
        /* OCR reads "To:" as "10:" or "T0:", 0 as O and 1 as l or I */
        { "NOV-20-2026 10:28 FROM:RIVERSIDE FAMILY MEDICINE 5552224444 10:5554400100 P.1/6\n", "2026-11-20",
          "5552224444", NULL, 1, 6 },
        { "11/2O/2O26 1O:14 AM FROM: 555 222 4444 T0: 555 440 0l00 P.l/3\n", "2026-11-20", "5552224444", NULL, 0, 0 },
        { "l1/20/2026 10:l4 FAX (555) 222-4444 CEDAR HOLLOW Page 1 of 2\n", "2026-11-20", "5552224444", NULL, 1, 2 },
        { "11/20/2026 10:14 FAX 555 2O2 444l CEDAR HOLLOW Page 1 of 2\n", "2026-11-20", "5552024441", NULL, 1, 2 },
        /* a time that OCR damaged still shows the line is a header */
        { "11/17/2026 08:99 AM FAX 555 222 4444 SUMMIT URGENT CARE #0401 P.002/004\n", "2026-11-17", "5552224444",
          NULL, 2, 4 },
        /* split over lines at the top of the page */
        { "11/20/2026 10:14 AM CEDAR HOLLOW IM\n(555) 222-4444   Page 1 of 3\nREFERRAL FORM\n", "2026-11-20",
          "5552224444", NULL, 1, 3 },
        { "FROM: CEDAR HOLLOW IM  (555) 222-4444  TO: 5554400100\n11/20/2026 10:14 AM   PAGE 2 OF 3\nNOTE\n",
          "2026-11-20", "5552224444", "CEDAR HOLLOW IM", 2, 3 },
        { "11/20/2026 10:14 AM  FROM: 5552224444\nPage 1 of 2\nPatient: Roe, Jane\n", "2026-11-20", "5552224444",
          NULL, 1, 2 },
        { "Nov 20 2026 10:14am Cedar Hollow IM\n5552224444\nREFERRAL\n", "2026-11-20", "5552224444", NULL, 0, 0 },
        /* a tracing's text above the header */
        { "HR 72 PR 160 QRS 96\n\nNOV-20-2026 10:31 FROM:CEDAR HOLLOW 5552224444 TO:5554400100 P.6/6\n",
          "2026-11-20", "5552224444", NULL, 6, 6 },
        /* truncated sender names stay as printed */
        { "11/20/2026 10:14 FROM: CEDAR HOLLOW INTERNAL MEDIC 5552224444 P.1/2\n", "2026-11-20", "5552224444",
          "CEDAR HOLLOW INTERNAL MEDIC", 1, 2 },
        /* no header: forms, lab lines, letters */
        { "Collected: 03/01/2027 07:40\nNo header here\n", NULL, NULL, NULL, 0, 0 },
        /* an EKG machine's line: a record's ID, the date and time of the
         * tracing, on a page with no fax header */
        { "ID:NO472566 6/17/2027 09:48:16\nPR interval 166 ms\n", NULL, NULL, NULL, 0, 0 },
        { "ID: MR236722   03/01/2027 07:40\nVent. rate 72 BPM\n", NULL, NULL, NULL, 0, 0 },
        /* ...but a machine's station ID is its number */
        { "11/20/2026 10:14 ID: 5552224444\nREFERRAL\n", "2026-11-20", "5552224444", NULL, 0, 0 },
        { "Patient: Roe, Jane   DOB: 01/02/1950   Phone: (555) 222-4444\n", NULL, NULL, NULL, 0, 0 },
        { "Riverside Family Medicine\nTel (555) 222-4444 Fax (555) 222-4445\nDate: 11/20/2026\n", NULL, NULL, NULL,
          0, 0 },
        { "Date: 11/20/2026   Time: 10:14 AM\nTo: Cardiology\nFrom: Dr. Roe\n", NULL, NULL, NULL, 0, 0 },
        { "Patient phone (555) 201-0021\nNo header on this page", NULL, NULL, NULL, 0, 0 },
        { "", NULL, NULL, NULL, 0, 0 },
};

static void
test_header_table(void)
{
        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                const HeaderCase *c = &cases[i];
                RdFaxHeader h;
                gboolean found = rd_fax_header_read(c->text, &h);
                g_autofree char *date = rd_fax_header_date(c->text);
                g_autofree char *sender = rd_fax_header_sender(c->text);

                g_test_message("case %zu: %s", i, c->text);
                g_assert_cmpint(found, ==, c->date != NULL || c->sender != NULL);
                g_assert_cmpstr(h.date, ==, c->date);
                g_assert_cmpstr(date, ==, c->date);
                g_assert_cmpstr(h.sender_number, ==, c->sender);
                g_assert_cmpstr(sender, ==, c->sender);
                if (c->name)
                        g_assert_cmpstr(h.sender_name, ==, c->name);
                if (c->page || c->pages) {
                        g_assert_cmpuint(h.page, ==, c->page);
                        g_assert_cmpuint(h.pages, ==, c->pages);
                }
                /* the practice's own number is never the sender */
                if (h.recipient_number)
                        g_assert_cmpstr(h.recipient_number, !=, h.sender_number);
                rd_fax_header_clear(&h);
        }
}

/* The header's lines, split or not, are left out of the page's lines;
 * the form's own lines stay. */
static void
test_page_lines(void)
{
        g_auto(GStrv) a = rd_page_lines("11/20/2026 10:14 AM CEDAR HOLLOW IM\n(555) 222-4444   Page 1 of 3\n"
                                        "Patient: Roe, Jane\nFrom: Dr. Ann Lee\n");
        g_auto(GStrv) b = rd_page_lines("Date: 11/20/2026\nFrom: Dr. Ann Lee\nFax: (555) 222-4444\n");

        g_assert_cmpuint(g_strv_length(a), ==, 3);
        g_assert_cmpstr(a[0], ==, "Patient: Roe, Jane");
        g_assert_cmpuint(g_strv_length(b), ==, 4);
}

static void
test_header_dates(void)
{
        static const char *const cases[][2] = {
                { "11/20/26", "2026-11-20" }, { "1-5-27", "2027-01-05" }, { "20-NOV-26", "2026-11-20" },
                { "Nov 20 10:14:02 2026", "2026-11-20" }, { "2026.11.20", "2026-11-20" },
                { "11/20/2026", "2026-11-20" }, { "13/20/26", NULL }, { "11/20/26/5", NULL },
                { "Nov 20 maybe", NULL },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *got = rd_parse_header_date(cases[i][0], NULL);

                g_assert_cmpstr(got, ==, cases[i][1]);
        }
        /* a date of birth with a two-digit year is not read */
        g_assert_null(rd_parse_date("01/02/50", NULL));
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/fax-header/table", test_header_table);
        g_test_add_func("/fax-header/page-lines", test_page_lines);
        g_test_add_func("/fax-header/dates", test_header_dates);
        return g_test_run();
}
