/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sero-session.h"

G_BEGIN_DECLS

#define SERO_TYPE_SESSION_VIEW (sero_session_view_get_type ())

G_DECLARE_FINAL_TYPE (SeroSessionView, sero_session_view, SERO, SESSION_VIEW, GtkWidget)

GtkWidget   *sero_session_view_new           (SeroSession       *session,
                                              SeroModelRegistry *models);
SeroSession *sero_session_view_get_session   (SeroSessionView   *self);
void         sero_session_view_reload_models (SeroSessionView   *self);

G_END_DECLS
