"""The one immutable typed model of an EventAPI workspace."""
