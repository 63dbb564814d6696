"""The project library (项目库) and the responsible units (承办单位), for clerks."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from voting.auth.guards import role_required
from voting.errors import InvalidRequest, WrongState
from voting.extensions import db
from voting.models import Jurisdiction, Project, ResponsibleUnit
from voting.models.projects import CATEGORIES, STATUSES
from voting.office import choices
from voting.office.forms import ActionForm, ProjectForm, UnitForm, attach_error
from voting.office.labels import office_context
from voting.services import catalogue

bp = Blueprint("office_projects", __name__, url_prefix="/office/projects")
bp.context_processor(office_context)

PER_PAGE = 50


@bp.route("/")
@role_required("clerk")
def index():
    """The library, filtered by jurisdiction, year, category, status, unit or a word."""
    filters = {
        "jurisdiction": request.args.get("jurisdiction", type=int),
        "year": request.args.get("year", type=int),
        "category": request.args.get("category", "") if request.args.get("category")
        in CATEGORIES else "",
        "status": request.args.get("status", "") if request.args.get("status") in STATUSES else "",
        "unit": request.args.get("unit", type=int),
        "q": request.args.get("q", "").strip()[:60],
    }
    page = db.paginate(_library_query(filters), per_page=PER_PAGE, max_per_page=PER_PAGE,
                       error_out=False)
    years = sorted(db.session.scalars(db.select(Project.year).distinct()), reverse=True)
    return render_template("office/projects.html", page=page, filters=filters, years=years,
                           jurisdictions=choices.jurisdictions(), units=_all_units(),
                           action=ActionForm())


def _library_query(filters: dict):
    query = db.select(Project).order_by(Project.year.desc(), Project.id.desc())
    for column in ("year", "category", "status"):
        if filters[column]:
            query = query.filter(getattr(Project, column) == filters[column])
    if filters["jurisdiction"]:
        query = query.filter(Project.jurisdiction_id == filters["jurisdiction"])
    if filters["unit"]:
        query = query.filter(Project.unit_id == filters["unit"])
    if filters["q"]:
        text = filters["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{text}%"
        query = query.filter(db.or_(Project.title.like(pattern, escape="\\"),
                                    Project.summary.like(pattern, escape="\\"),
                                    Project.location.like(pattern, escape="\\")))
    return query


def _all_units() -> list[ResponsibleUnit]:
    return list(db.session.scalars(
        db.select(ResponsibleUnit).order_by(ResponsibleUnit.jurisdiction_id, ResponsibleUnit.name)))


@bp.route("/new", methods=["GET", "POST"])
@role_required("clerk")
def create():
    form = ProjectForm()
    if not form.is_submitted():
        selected = choices.chosen_jurisdiction()
        form.jurisdiction.data = selected.id if selected else None
        form.unit.data = 0
    return _save_project(form, None)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@role_required("clerk")
def edit(project_id):
    project = db.get_or_404(Project, project_id)
    form = ProjectForm(obj=project)
    if not form.is_submitted():
        form.jurisdiction.data = project.jurisdiction_id
        form.unit.data = project.unit_id or 0
    return _save_project(form, project)


def _save_project(form: ProjectForm, project: Project | None):
    form.jurisdiction.choices = choices.jurisdiction_choices()
    form.unit.choices = choices.unit_choices()
    if not form.jurisdiction.choices:
        flash(_("请先添加行政区。"), "error")
        return redirect(url_for("office_sessions.create_jurisdiction"))
    if form.validate_on_submit():
        fields = {name: form[name].data for name in catalogue.PROJECT_FIELDS}
        try:
            project = catalogue.save_project(
                project, jurisdiction=db.session.get(Jurisdiction, form.jurisdiction.data),
                unit=db.session.get(ResponsibleUnit, form.unit.data) if form.unit.data else None,
                **fields)
        except (InvalidRequest, WrongState) as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存项目“%(title)s”。", title=project.title), "success")
            return redirect(url_for(".index", jurisdiction=project.jurisdiction_id))
    status = 400 if form.is_submitted() else 200
    return render_template("office/project_form.html", form=form, project=project,
                           title=_("编辑项目") if project else _("新增项目")), status


@bp.route("/<int:project_id>/delete", methods=["POST"])
@role_required("clerk")
def delete(project_id):
    project = db.get_or_404(Project, project_id)
    if ActionForm().validate_on_submit():
        try:
            catalogue.delete_project(project)
        except WrongState as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("项目已从项目库删除。"), "success")
    return redirect(url_for(".index"))


# Responsible units (承办单位) ---------------------------------------------------------------------

@bp.route("/units")
@role_required("clerk")
def units():
    counts = dict(db.session.execute(
        db.select(Project.unit_id, db.func.count()).group_by(Project.unit_id)).all())
    return render_template("office/units.html", units=_all_units(), counts=counts,
                           action=ActionForm())


@bp.route("/units/new", methods=["GET", "POST"])
@role_required("clerk")
def create_unit():
    form = UnitForm()
    if not form.is_submitted():
        selected = choices.chosen_jurisdiction()
        form.jurisdiction.data = selected.id if selected else None
    return _save_unit(form, None)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@role_required("clerk")
def edit_unit(unit_id):
    unit = db.get_or_404(ResponsibleUnit, unit_id)
    form = UnitForm(obj=unit)
    if not form.is_submitted():
        form.jurisdiction.data = unit.jurisdiction_id
    return _save_unit(form, unit)


def _save_unit(form: UnitForm, unit: ResponsibleUnit | None):
    form.jurisdiction.choices = choices.jurisdiction_choices()
    if form.validate_on_submit():
        try:
            unit = catalogue.save_unit(
                unit, jurisdiction=db.session.get(Jurisdiction, form.jurisdiction.data),
                name=form.name.data)
        except InvalidRequest as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存承办单位“%(name)s”。", name=unit.name), "success")
            return redirect(url_for(".units"))
    status = 400 if form.is_submitted() else 200
    return render_template("office/form_page.html", form=form, back=url_for(".units"),
                           title=_("编辑承办单位") if unit else _("新增承办单位")), status


@bp.route("/units/<int:unit_id>/delete", methods=["POST"])
@role_required("clerk")
def delete_unit(unit_id):
    unit = db.get_or_404(ResponsibleUnit, unit_id)
    if ActionForm().validate_on_submit():
        try:
            catalogue.delete_unit(unit)
        except WrongState as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("承办单位已删除。"), "success")
    return redirect(url_for(".units"))
