# cython: language_level=3
"""The per-event work of `OnlineImbalancedClassifier`, compiled: its prediction (the cached
inference of the last event, the binary decision and the prior correction) and its learning,
on C fields (`CompiledFields`), so that an event costs calls to the parts it drives (priors,
calibrator, drift policy, balancing, learner) and not the interpretation of the layer between
them. What happens on rarer paths (a new class, another minority, a drift's answer, multiclass
inference) stays in the Python class, which extends this one.

Every value is the Python object the Python code made: the comparisons and arithmetic are
Python's, on the same objects, in the same order.
"""

cimport cython

import pickle

from stream_imbal._balancing cimport ReweightFields
from stream_imbal._calibration cimport CalibratorFields
from stream_imbal._drift cimport PolicyFields
from stream_imbal._fields cimport CompiledFields
from stream_imbal._priors cimport DecayedCounts

from stream_imbal.balancing.strategy import ReweightResample
from stream_imbal.bounded_tree import pickle_to_predict
from stream_imbal.drift.policy import DriftPolicy
from stream_imbal.labels import BinaryLabels
from stream_imbal.priors.decayed import DecayedClassPrior
from stream_imbal.threshold.calibrator import ThresholdCalibrator
from stream_imbal.threshold.prior_correction import correct_binary
from stream_imbal.validation import check_features, check_label

cdef frozenset _PLAIN_LABELS = frozenset({bool, int, str})  # labels `check_label` always passes
cdef object _NOT_CACHED = object()  # what `_last_x` holds when no inference is cached


# The parts the classifier drives, called in C when they are the compiled ones, exactly: a
# subclass may override their methods.

cdef object _share(object prior, object label):
    """`prior.share(label)`."""
    if type(prior) is DecayedClassPrior:
        return (<DecayedCounts>prior)._share(label)
    return prior.share(label)


cdef int _count(object prior, object y) except -1:
    """`prior.update(y)`."""
    if type(prior) is DecayedClassPrior:
        (<DecayedCounts>prior)._update(y, 1.0)
    else:
        prior.update(y)
    return 0


cdef object _cut(object calibrator, object training_share):
    """`calibrator.cut(training_share)`."""
    if type(calibrator) is ThresholdCalibrator:
        return (<CalibratorFields>calibrator)._cut(training_share)
    return calibrator.cut(training_share)


cdef int _record(object calibrator, object score, object positive, object share) except -1:
    """`calibrator.update(score, positive, share)`."""
    if type(calibrator) is ThresholdCalibrator:
        (<CalibratorFields>calibrator)._update(score, positive, share)
    else:
        calibrator.update(score, positive, share)
    return 0


cdef int _count_weighted(object prior, object y, object w) except -1:
    """`prior.update(y, w)`."""
    if type(prior) is DecayedClassPrior:
        (<DecayedCounts>prior)._update(y, w)
    else:
        prior.update(y, w)
    return 0


@cython.auto_pickle(False)
cdef class ClassifierFields(CompiledFields):
    """What `stream_imbal.OnlineImbalancedClassifier` (see it), which extends this class, reads
    and writes per event."""

    cdef public object warm_up, _learner, _challenger, _copies, _reference, _prior, _trained
    cdef public object _monitor_cut, _balancing, _drift, _calibrator, _rng
    cdef public bint _takes_weight
    cdef public list _classes
    cdef public object _minority, _majority
    cdef public Py_ssize_t _n_seen
    cdef public dict _labels_seen
    cdef public bint _warm
    cdef public object _last_x, _last_copy, _last

    cdef dict _fields(self):
        return {
            "warm_up": self.warm_up,
            "_learner": self._learner,
            "_challenger": self._challenger,
            "_copies": self._copies,
            "_reference": self._reference,
            "_prior": self._prior,
            "_trained": self._trained,
            "_monitor_cut": self._monitor_cut,
            "_balancing": self._balancing,
            "_drift": self._drift,
            "_calibrator": self._calibrator,
            "_rng": self._rng,
            "_takes_weight": self._takes_weight,
            "_classes": self._classes,
            "_minority": self._minority,
            "_majority": self._majority,
            "_n_seen": self._n_seen,
            "_labels_seen": self._labels_seen,
            "_warm": self._warm,
            "_last_x": self._last_x,
            "_last_copy": self._last_copy,
            "_last": self._last,
        }

    # --- what a prediction reports -----------------------------------------------------------

    @property
    def minority_class(self):
        return self._minority

    @property
    def threshold(self):
        """Decision threshold on the (prior-corrected) minority probability; binary only."""
        if len(self._classes) != 2:
            return None
        minority = self._minority
        return correct_binary(
            self._raw_threshold(), _share(self._trained, minority), _share(self._prior, minority)
        )

    def _raw_threshold(self) -> float:
        """Threshold on the learner's own minority score (before prior correction)."""
        return _cut(self._calibrator, _share(self._trained, self._minority))

    # --- prediction ------------------------------------------------------------------------

    def predict_proba_one(self, x):
        return self._inferred(x)[1][0]

    def predict_one(self, x):
        return self._inferred(x)[1][1]

    def count_scored(self, x) -> None:
        """Count the event `x`, just scored on its arrival, toward an alert budget
        (`ThresholdCalibrator.track`): call it once for each event scored in production."""
        if len(self._classes) == 2:
            self._calibrator.track(self._inferred(x)[1][2])

    cdef tuple _inferred(self, object x):
        """`x` and `_infer(x)`, reused for the dict of the last call if it has not changed
        since. A dict changed since is copied: the learner's own caches, keyed by the dict's
        identity (the pool's probabilities, a tree's route to its leaf), then miss too."""
        if x is self._last_x:
            if x == self._last_copy:
                return x, self._last
            x = dict(x)
        return x, self._infer(x)

    cdef tuple _infer(self, object x):
        """(corrected probabilities, decision, raw minority score), kept for the same dict."""
        check_features(x)
        cdef list classes = self._classes
        cdef tuple out
        if len(classes) == 2:
            out = self._infer_binary(x)
        elif len(classes) > 2:
            out = self._infer_multiclass(x)
        else:
            out = ({classes[0]: 1.0}, classes[0], 0.0) if classes else ({}, None, 0.0)
        if not self._warm:
            out = (out[0], None, out[2])
        self._last_x, self._last_copy, self._last = x, dict(x), out
        return out

    cdef tuple _infer_binary(self, object x):
        minority, majority = self._minority, self._majority
        score = self._score_of(self._learner, x)
        trained = _share(self._trained, minority)
        cut = _cut(self._calibrator, trained)  # as in `_raw_threshold`, sharing `trained`
        decision = minority if score >= cut else majority
        p = correct_binary(score, trained, _share(self._prior, minority))
        return {minority: p, majority: 1.0 - p}, decision, score

    def _minority_score(self, learner, x) -> float:
        """`learner`'s probability of the minority class for `x`, normalised over the two."""
        return self._score_of(learner, x)

    cdef object _score_of(self, object learner, object x):
        if learner.__class__ is BinaryLabels:
            labels = learner.labels
            if len(labels) == 2:
                # Skip the label mapping: read the boolean learner's own probability.
                p_second = learner.classifier.predict_proba_one(x).get(True, 0.0)
                return p_second if self._minority == labels[1] else 1.0 - p_second
        raw = learner.predict_proba_one(x)
        minority = raw.get(self._minority, 0.0)
        total = minority + raw.get(self._other(self._minority), 0.0)
        return minority / total if total else 0.0

    # --- learning --------------------------------------------------------------------------

    def learn_one(self, x, y) -> None:
        if y.__class__ not in _PLAIN_LABELS:
            check_label(y)
        # The prediction made before learning (cached).
        x, inferred = self._inferred(x)
        _, y_pred, score = <tuple>inferred
        self._last_x = _NOT_CACHED
        cdef list classes = self._classes
        cdef bint new_class = y not in classes
        cdef PolicyFields policy
        if new_class:
            self._add_class(y)
        if not self._warm:
            seen = self._labels_seen
            seen[y] = seen.get(y, 0) + 1
            self._warm = sum(n >= self.warm_up for n in seen.values()) >= 2

        prior = self._prior
        _count(prior, y)
        minority = (
            (<DecayedCounts>prior)._current_minority()
            if type(prior) is DecayedClassPrior
            else prior.minority
        )
        # A sliding window may lose a class for a while: the minority stays what it was.
        if minority != self._minority and (self._minority is None or prior.n_classes >= 2):
            if self._minority is not None and len(classes) == 2:
                self._calibrator.swap_classes()  # its scores were the other class's
            self._minority = minority
            self._majority = self._other(minority) if len(classes) == 2 else None
        if len(classes) == 2:
            if not new_class:  # a learner that never saw the class could not score it
                _record(self._calibrator, score, y == minority, _share(prior, minority))
            # Recall is monitored at the training prior's own cut, not at the calibrator's
            # threshold: a moving threshold changes the errors without any drift.
            cut = _share(self._monitor_cut, minority)
            y_pred = minority if score >= cut else self._majority
        if y_pred is not None:
            challenger = self._challenger
            if challenger is not None:
                challenger.record(y, y_pred, self._reference_decision(challenger.learner, x))
            drift = self._drift
            reference = self._reference
            reference_pred = None if reference is None else self._reference_decision(reference, x)
            if type(drift) is DriftPolicy:
                policy = <PolicyFields>drift
                policy._update(y, y_pred, self._n_seen, reference_pred)
                confirming, alarm = policy._confirming(), policy.concept_alarm
                alert = alarm or policy.prior_shift_detected or policy.warning_detected
            else:
                drift.update(y, y_pred, self._n_seen, reference_pred)
                confirming, alarm = drift.confirming, drift.concept_alarm
                alert = alarm or drift.prior_shift_detected or drift.warning_detected
            if confirming:
                if alarm and len(self._copies) == 2:
                    self._reference = pickle.loads(self._copies[0])
            elif reference is not None:  # the confirmation is over
                self._reference = None
            if alert or challenger is not None:
                self._answer_drift()

        balancing, rng = self._balancing, self._rng
        if type(balancing) is ReweightResample:
            weight = (<ReweightFields>balancing)._train(
                self._learner, x, y, prior, self._takes_weight, rng
            )
        else:
            weight = balancing.train(self._learner, x, y, prior, self._takes_weight, rng)
        if self._challenger is not None:
            self._challenger_balancing.train(
                self._challenger.learner, x, y, prior, self._takes_weight, rng
            )
        _count_weighted(self._trained, y, weight)
        _count_weighted(self._monitor_cut, y, weight)
        self._n_seen += 1
        if not self._n_seen % self.REFERENCE_EVERY and self._drift.tests_reference:
            self._copies.append(pickle_to_predict(self._learner))

    def _forget_last(self) -> None:
        self._last_x = _NOT_CACHED
        self._last_copy = {}
        self._last = ({}, None, 0.0)
