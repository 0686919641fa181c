"""Metadata and scoring of :class:`~skdigit.DigitLogisticClassifierCV`: who gets what.

A cross-validated fit hands metadata to three consumers, as scikit-learn's
``LogisticRegressionCV`` does: the splitter (``groups``), the scorer
(``sample_weight`` or anything it requests) and the fit itself
(``sample_weight``). With ``sklearn.set_config(enable_metadata_routing=True)``
scikit-learn's routing decides (:func:`route_fit_params`); without it the
fixed rule of scikit-learn's classes holds: ``sample_weight`` weights the fits
and the validation scores, ``groups`` goes to the splitter, and anything else
is an error rather than silently dropped.

Scorers that need every class (``"neg_log_loss"``, ``"neg_brier_score"``,
``"roc_auc_ovr"``) get the full list of classes (:func:`scorer_with_labels`),
so that a validation fold that lacks a class is still scored.
"""

import copy
import inspect

from sklearn.metrics import check_scoring, get_scorer
from sklearn.metrics._scorer import _BaseScorer
from sklearn.utils import Bunch
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import _check_method_params

__all__ = [
    "cv_metadata_router",
    "fold_score_params",
    "get_cv_scorer",
    "route_fit_params",
    "route_score_params",
    "scorer_with_labels",
]

# What fit takes without metadata routing, besides X, y and sample_weight.
_FIT_PARAMS_WITHOUT_ROUTING = {"groups"}


def get_cv_scorer(estimator, scoring):
    """The scorer of ``scoring``: a name, a callable, or None for accuracy.

    None is accuracy, not ``estimator.score`` (which would call this again).
    """
    return get_scorer("accuracy") if scoring is None else check_scoring(estimator, scoring)


def cv_metadata_router(estimator, scorer):
    """The ``MetadataRouter`` of a CV estimator: itself, its splitter, its scorer.

    ``fit`` routes to the splitter's ``split`` and the scorer's ``score``;
    ``score`` to the scorer's ``score``; ``sample_weight`` also weights the
    fits themselves (the estimator's own request).
    """
    return (
        MetadataRouter(owner=type(estimator).__name__)
        .add_self_request(estimator)
        .add(splitter=estimator.cv,
             method_mapping=MethodMapping().add(caller="fit", callee="split"))
        .add(scorer=scorer,
             method_mapping=MethodMapping()
             .add(caller="score", callee="score")
             .add(caller="fit", callee="score"))
    )


def route_fit_params(estimator, sample_weight, params):
    """``Bunch(splitter={"split": ...}, scorer={"score": ...})`` for ``fit(**params)``.

    Parameters
    ----------
    estimator : DigitLogisticClassifierCV
    sample_weight : array-like of shape (n_samples,) or None
        As the user passed it (without class weights).
    params : dict
        The other keyword arguments of ``fit``.

    Raises
    ------
    ValueError
        Without metadata routing, for a keyword other than ``groups`` (a typo
        such as ``sample_weights`` would otherwise fit an unweighted model).
    TypeError
        With metadata routing, for metadata that no consumer requested
        (scikit-learn's own error, from ``process_routing``).
    """
    name = f"{type(estimator).__name__}.fit"
    if _routing_enabled():
        return process_routing(estimator, "fit", sample_weight=sample_weight, **params)
    unknown = set(params) - _FIT_PARAMS_WITHOUT_ROUTING
    if unknown:
        raise ValueError(
            f"{name} got unexpected keyword argument(s) {sorted(unknown)}. Without "
            "metadata routing it takes X, y, sample_weight and groups (for a group-"
            "aware cv): check the spelling. Passing other metadata to the splitter "
            "or the scorer is only supported if enable_metadata_routing=True "
            "(sklearn.set_config), with the consumer's request set (see "
            "scikit-learn's metadata routing guide)."
        )
    score = {} if sample_weight is None else {"sample_weight": sample_weight}
    split = {} if params.get("groups") is None else {"groups": params["groups"]}
    return Bunch(splitter=Bunch(split=split), scorer=Bunch(score=score))


def route_score_params(estimator, sample_weight, params):
    """The keyword arguments of the scorer for ``score(X, y, sample_weight, **params)``."""
    if _routing_enabled():
        if sample_weight is not None:
            params = {**params, "sample_weight": sample_weight}
        return process_routing(estimator, "score", **params).scorer.score
    if params:
        raise ValueError(
            f"{type(estimator).__name__}.score got unexpected keyword argument(s) "
            f"{sorted(params)}. Without metadata routing it takes X, y and "
            "sample_weight; routing other metadata to the scorer is only supported "
            "if enable_metadata_routing=True (sklearn.set_config)."
        )
    return {} if sample_weight is None else {"sample_weight": sample_weight}


def fold_score_params(X, score_params, test):
    """The scorer's metadata restricted to a fold's held-out rows ``test``.

    Arrays with one entry per sample are indexed; anything else passes as is.
    """
    return _check_method_params(X, params=score_params, indices=test)


def scorer_with_labels(scorer, classes):
    """``scorer``, told the full list of ``classes`` where its metric takes it.

    A validation fold may lack a class; a metric that infers the classes
    from ``y_true`` then fails ("y_true takes value in {'a'} and pos_label is
    not specified") or mismatches the columns of ``predict_proba``. As
    scikit-learn's ``LogisticRegressionCV`` does, a scorer built from a
    metric with a ``labels`` parameter gets ``labels=classes``, and, for two
    classes, one with a ``pos_label`` parameter gets ``pos_label=classes[-1]``
    (the class whose probability is the second column). Other scorers
    (custom callables) are returned unchanged.
    """
    if not isinstance(scorer, _BaseScorer):
        return scorer
    try:
        names = inspect.signature(scorer._score_func).parameters
    except (TypeError, ValueError):  # a builtin or C function without a signature
        return scorer
    extra = {}
    if "labels" in names and "labels" not in scorer._kwargs:
        extra["labels"] = classes
    if len(classes) == 2 and "pos_label" in names and "pos_label" not in scorer._kwargs:
        extra["pos_label"] = classes[-1]
    if not extra:
        return scorer
    scorer = copy.copy(scorer)
    scorer._kwargs = {**scorer._kwargs, **extra}
    return scorer
