# A FastAPI app half-migrated from sync SQLAlchemy (in the style of FastAPI's SQL tutorial).
from typing import List

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import Column, Integer, String, create_engine, select, text
from sqlalchemy.orm import Session, declarative_base, sessionmaker

SQLALCHEMY_DATABASE_URL = "sqlite:///./sql_app.db"

engine = create_engine(SQLALCHEMY_DATABASE_URL, connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)
Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String, unique=True)


Base.metadata.create_all(bind=engine)


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


app = FastAPI()


@app.get("/users/")
def read_users(skip: int = 0, limit: int = 100, db: Session = Depends(get_db)):
    return db.query(User).offset(skip).limit(limit).all()


@app.get("/users/{user_id}")
async def read_user(user_id: int, db: Session = Depends(get_db)):
    user = db.get(User, user_id)  # expect: ADB302
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return user


@app.post("/users/")
async def create_user(email: str, db: Session = Depends(get_db)):
    user = User(email=email)
    db.add(user)
    db.commit()  # expect: ADB302
    db.refresh(user)
    return user


@app.get("/search")
def search(email: str, db: Session = Depends(get_db)):
    return db.execute(text(f"SELECT * FROM users WHERE email LIKE '%{email}%'")).all()  # expect: ADB401


@app.get("/search-safe")
def search_safe(email: str, db: Session = Depends(get_db)):
    return db.execute(text("SELECT * FROM users WHERE email LIKE :e"), {"e": f"%{email}%"}).all()


@app.get("/stats")
async def stats():
    with SessionLocal() as session:
        return session.execute(select(User)).scalars().all()  # expect: ADB302


@app.get("/health")
async def health():
    with engine.connect() as connection:  # expect: ADB302
        connection.execute(text("SELECT 1"))
    return {"ok": True}


@app.get("/ids")
def ids(ids: List[int], db: Session = Depends(get_db)):
    placeholders = ", ".join(str(int(i)) for i in ids)  # expect: ADB403
    return db.execute(text("SELECT * FROM users WHERE id IN (" + placeholders + ")")).all()
